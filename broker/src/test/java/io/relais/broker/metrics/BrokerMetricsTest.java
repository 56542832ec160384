package io.relais.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.relais.broker.config.MetricsConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BrokerMetricsTest {
    private static final MetricsConfig NO_JVM = new MetricsConfig(true, false, Duration.ofSeconds(10));

    private static Exposition scrape(BrokerMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeTo(out);
        return Exposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldSumTheCountersOfEveryLoop() throws Exception {
        BrokerMetrics metrics = new BrokerMetrics(NO_JVM);
        EventLoop a = new DefaultEventLoop();
        EventLoop b = new DefaultEventLoop();
        try {
            a.submit(() -> metrics.counters(a).add(LoopCounter.PUBLISHED, 3)).get();
            b.submit(() -> metrics.counters(b).add(LoopCounter.PUBLISHED, 4)).get();
            b.submit(() -> metrics.counters(b).add(LoopCounter.BYTES_SENT, 1000)).get();
            a.submit(() -> metrics.counters(a).add(LoopCounter.FLOW_BLOCKED, 2)).get();
            b.submit(() -> metrics.counters(b).add(LoopCounter.FLOW_BLOCKED, -1)).get();
        } finally {
            a.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            b.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
        Exposition e = scrape(metrics);
        assertThat(e.require("relais_messages_published_total")).isEqualTo(7);
        assertThat(e.require("relais_network_sent_bytes_total")).isEqualTo(1000);
        assertThat(e.require("relais_messages_acked_total")).isZero();
        assertThat(e.require("relais_flow_blocked_publishers")).isEqualTo(1);
        assertThat(e.type("relais_messages_published_total")).isEqualTo("counter");
        assertThat(e.type("relais_flow_blocked_publishers")).isEqualTo("gauge");
        assertThat(metrics.count(LoopCounter.PUBLISHED)).isEqualTo(7);
    }

    @Test
    void shouldMakeALoopsCountersOnlyOnThatLoop() {
        BrokerMetrics metrics = new BrokerMetrics(NO_JVM);
        EventLoop loop = new DefaultEventLoop();
        try {
            assertThatThrownBy(() -> metrics.counters(loop)).isInstanceOf(IllegalStateException.class);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldObserveSyncsInSecondsInTheHistogram() throws IOException {
        BrokerMetrics metrics = new BrokerMetrics(NO_JVM);
        metrics.syncObserver().accept(2_000_000); // 2 ms
        metrics.syncObserver().accept(300_000_000); // 300 ms
        Exposition e = scrape(metrics);
        assertThat(e.type("relais_store_sync_duration_seconds")).isEqualTo("histogram");
        assertThat(e.require("relais_store_sync_duration_seconds_count")).isEqualTo(2);
        assertThat(e.require("relais_store_sync_duration_seconds_sum")).isCloseTo(0.302, Offset.offset(1e-9));
        assertThat(e.require("relais_store_sync_duration_seconds_bucket{le=\"0.0025\"}")).isEqualTo(1);
        assertThat(e.require("relais_store_sync_duration_seconds_bucket{le=\"0.5\"}")).isEqualTo(2);
        assertThat(e.require("relais_store_sync_duration_seconds_bucket{le=\"+Inf\"}")).isEqualTo(2);
    }

    @Test
    void shouldExportTheBridgeLinksWithEscapedNames() throws IOException {
        BrokerMetrics metrics = new BrokerMetrics(NO_JVM);
        metrics.registerBridge(v -> {
            v.link("orders-out", 10, 2, 1, 0, 3);
            v.link("odd \"name\"", 5, 0, 0, 7, 0);
        });
        Exposition e = scrape(metrics);
        assertThat(e.require("relais_bridge_forwarded_total{link=\"orders-out\"}")).isEqualTo(10);
        assertThat(e.require("relais_bridge_in_flight{link=\"orders-out\"}")).isEqualTo(2);
        assertThat(e.require("relais_bridge_redelivered_total{link=\"orders-out\"}")).isEqualTo(1);
        assertThat(e.require("relais_bridge_errors_total{link=\"orders-out\"}")).isEqualTo(3);
        assertThat(e.require("relais_bridge_loops_dropped_total{link=\"odd \\\"name\\\"\"}")).isEqualTo(7);
    }

    @Test
    void shouldExportJvmAndProcessMetricsUnlessTurnedOff() throws IOException {
        Exposition with = scrape(new BrokerMetrics(new MetricsConfig(true, true, Duration.ofSeconds(10))));
        assertThat(with.samples().keySet()).anyMatch(s -> s.startsWith("jvm_memory_used_bytes"))
                .anyMatch(s -> s.startsWith("jvm_threads_current"));
        Exposition without = scrape(new BrokerMetrics(NO_JVM));
        assertThat(without.samples().keySet()).noneMatch(s -> s.startsWith("jvm_"));
    }

    @Test
    void shouldAnswerThePrometheusTextContentType() {
        assertThat(new BrokerMetrics(NO_JVM).contentType()).startsWith("text/plain; version=0.0.4");
    }
}
