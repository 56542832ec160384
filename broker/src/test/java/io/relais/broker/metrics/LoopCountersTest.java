package io.relais.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LoopCountersTest {
    @Test
    void shouldAddAndSubtractPerCounter() {
        LoopCounters c = new LoopCounters(Thread.currentThread());
        c.increment(LoopCounter.PUBLISHED);
        c.add(LoopCounter.PUBLISHED, 41);
        c.add(LoopCounter.FLOW_BLOCKED, 1);
        c.add(LoopCounter.FLOW_BLOCKED, -1);
        assertThat(c.get(LoopCounter.PUBLISHED)).isEqualTo(42);
        assertThat(c.get(LoopCounter.FLOW_BLOCKED)).isZero();
        assertThat(c.get(LoopCounter.DELIVERED)).isZero();
    }

    @Test
    void shouldRefuseAWriteFromAnotherThreadWhenAssertionsAreOn() throws Exception {
        LoopCounters c = new LoopCounters(Thread.currentThread());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                c.increment(LoopCounter.ACKED);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        other.start();
        other.join();
        // Surefire runs the tests with assertions on.
        assertThat(failure.get()).isInstanceOf(AssertionError.class).hasMessageContaining("ACKED");
        assertThat(c.get(LoopCounter.ACKED)).isZero();
    }

    @Test
    void shouldGiveEveryMetricAPrometheusNameWithoutTheTotalSuffix() {
        for (LoopCounter c : LoopCounter.values()) {
            assertThat(c.metricName()).matches("relais_[a-z_]+").doesNotEndWith("_total");
            assertThat(c.help()).isNotBlank();
        }
    }
}
