package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** PerfTest's sample lines as PerfTest 2.22.1 prints them (copied from its output). */
class PerfTestOutputTest {
    private static final String TRANSIENT = "id: test-140114-877, time 3.000 s, sent: 97013 msg/s, received: "
            + "95336 msg/s, min/median/75th/95th/99th consumer latency: 55/12367/111326/193576/210266 µs";
    private static final String DURABLE = "id: test-140140-686, time 3.000 s, sent: 5049 msg/s, confirmed: 5044 "
            + "msg/s, nacked: 0 msg/s, received: 5086 msg/s, min/median/75th/95th/99th consumer latency: "
            + "101/379/837/7834/36881 µs, confirm latency: 281/636/1340/12568/39257 µs";

    @Test
    void shouldReadASampleWithoutConfirms() {
        PerfTestOutput.Sample s = PerfTestOutput.parse(TRANSIENT);
        assertThat(s).isNotNull();
        assertThat(s.timeS()).isEqualTo(3.0);
        assertThat(s.sentPerS()).isEqualTo(97013);
        assertThat(s.receivedPerS()).isEqualTo(95336);
        assertThat(s.latencyUs()).containsExactly(55, 12367, 111326, 193576, 210266);
        assertThat(s.confirmLatencyUs()).isNull();
    }

    @Test
    void shouldReadASampleWithConfirms() {
        PerfTestOutput.Sample s = PerfTestOutput.parse(DURABLE);
        assertThat(s.confirmedPerS()).isEqualTo(5044);
        assertThat(s.receivedPerS()).isEqualTo(5086);
        assertThat(s.latencyUs()[1]).isEqualTo(379);
        assertThat(s.confirmLatencyUs()).containsExactly(281, 636, 1340, 12568, 39257);
    }

    @Test
    void shouldReadMillisecondsAndAnyEncodingOfMicro() {
        PerfTestOutput.Sample ms = PerfTestOutput.parse("id: t, time 1.000 s, sent: 10 msg/s, received: 10 msg/s, "
                + "min/median/75th/95th/99th consumer latency: 1/2/3/4/5 ms");
        assertThat(ms.latencyUs()).containsExactly(1000, 2000, 3000, 4000, 5000);
        PerfTestOutput.Sample ascii = PerfTestOutput.parse(TRANSIENT.replace("µs", "?s"));
        assertThat(ascii.latencyUs()[4]).isEqualTo(210266);
    }

    @Test
    void shouldIgnoreOtherLines() {
        assertThat(PerfTestOutput.parse("id: test-140114-877, starting producer #0")).isNull();
        assertThat(PerfTestOutput.parse("id: test-140114-877, sending rate avg: 72884 msg/s")).isNull();
        assertThat(PerfTestOutput.parse("test stopped (Reached time limit)")).isNull();
    }

    @Test
    void shouldSumOnlyTheWindowWeightingPercentilesByDeliveries() {
        List<PerfTestOutput.Sample> samples = List.of(
                sample(1, 50_000, 40_000, 9_000, 90_000),
                sample(2, 100_000, 100_000, 100, 1_000),
                sample(3, 100_000, 300_000, 500, 2_000),
                sample(4, 10, 10, 1, 1));
        PerfTestOutput.Window w = PerfTestOutput.window(samples, 1.0, 3.0);
        assertThat(w.samples()).isEqualTo(2);
        assertThat(w.sentPerS()).isCloseTo(100_000, within(0.1));
        assertThat(w.receivedPerS()).isCloseTo(200_000, within(0.1));
        assertThat(w.p50Us()).as("median of the seconds, by deliveries").isEqualTo(500);
        assertThat(w.p99Us()).isEqualTo(2_000);
        assertThat(w.confirmP50Us()).isEqualTo(-1);
        assertThat(PerfTestOutput.window(samples, 9, 10).samples()).isZero();
    }

    @Test
    void shouldNotLetOneSlowSecondMoveTheMedians() {
        List<PerfTestOutput.Sample> samples = List.of(sample(1, 5_000, 5_000, 300, 900),
                sample(2, 5_000, 5_000, 40_000, 280_000), sample(3, 5_000, 5_000, 250, 800));
        PerfTestOutput.Window w = PerfTestOutput.window(samples, 0, 3);
        assertThat(w.p50Us()).isEqualTo(300);
        assertThat(w.p99Us()).isEqualTo(900);
    }

    private static PerfTestOutput.Sample sample(double t, long sent, long received, long p50, long p99) {
        return new PerfTestOutput.Sample(t, sent, 0, received, new long[] {1, p50, p50, p99, p99}, null);
    }
}
