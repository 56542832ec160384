package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SteadinessTest {
    @Test
    void shouldBeSteadyWhenTheBacklogGrewByAtMostFivePercentOfTheDeliveries() {
        assertThat(Steadiness.steady(0, 1000, 1000)).isTrue();
        assertThat(Steadiness.steady(-400, 1400, 1000)).isTrue();
        assertThat(Steadiness.steady(50, 950, 1000)).isTrue();
    }

    @Test
    void shouldBeUnsteadyWhenTheBacklogGrewByMoreThanFivePercent() {
        assertThat(Steadiness.steady(51, 1000, 1000)).isFalse();
        assertThat(Steadiness.steady(1, 0, 0)).isFalse();
    }

    @Test
    void shouldBeUnsteadyWhenDeliveriesFellBehindUnseenByTheDepthProbe() {
        assertThat(Steadiness.steady(0, 900, 1000)).as("100 messages in flight to a consumer").isFalse();
        assertThat(Steadiness.steady(0, 951, 1000)).isTrue();
    }

    @Test
    void shouldMarkAFloodedRunUnsteadyInTheResult() {
        Stats stats = new Stats();
        for (int i = 0; i < 1000; i++) {
            stats.sent();
            stats.received(System.nanoTime());
        }
        assertThat(Result.of("durable", "relais", stats, 1.0, 600, 1).steady()).isFalse();
        assertThat(Result.of("durable", "relais", stats, 1.0, 10, 1).steady()).isTrue();
        assertThat(Result.of("fanout", "relais", stats, 1.0, 400, 10).steady()).as("1,000 of 10,000 deliveries")
                .isFalse();
    }

    @Test
    void shouldSustainARateOnlyWhenDeliveredSteadyAndFast() {
        assertThat(RateStep.of(10_000, 10_000, 9_850, 2_000, 0, true).sustained()).isTrue();
        assertThat(RateStep.of(10_000, 10_000, 9_700, 2_000, 0, true).sustained()).as("below 98 %").isFalse();
        assertThat(RateStep.of(10_000, 10_000, 10_000, 10_000, 0, true).sustained()).as("p99 10 ms").isFalse();
        assertThat(RateStep.of(10_000, 10_000, 10_000, 2_000, 9_000, false).sustained()).as("unsteady").isFalse();
    }

    @Test
    void shouldReportTheHighestSustainedStep() {
        List<RateStep> steps = List.of(RateStep.of(5_000, 5_000, 5_000, 900, 0, true),
                RateStep.of(10_000, 10_000, 10_000, 1_900, 0, true),
                RateStep.of(20_000, 20_000, 12_000, 90_000, 80_000, false));
        Result r = Result.maxRate("max-rate", "nats", steps);
        assertThat(r.maxRatePerS()).isEqualTo(10_000);
        assertThat(r.receivedPerS()).isEqualTo(10_000);
        assertThat(r.steps()).hasSize(3);
        assertThat(Result.maxRate("max-rate", "nats", steps.subList(2, 3)).maxRatePerS()).isZero();
    }
}
