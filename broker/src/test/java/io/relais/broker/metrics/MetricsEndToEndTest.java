package io.relais.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.BrokerFixture;
import io.relais.broker.config.MetricsConfig;
import io.relais.broker.config.SecurityLimits;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.store.FsyncPolicy;
import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real broker on an ephemeral port, driven by the Java client, scraped with {@code Broker.metrics()}:
 * the counters move by exactly what the clients did, the per-queue series follow the queue, switching
 * them off removes them, and a scrape of 10,000 queues stays fast.
 */
@ExtendWith(LeakCheck.class)
class MetricsEndToEndTest {
    private static final String QUEUE = "series-q";

    private static Exposition scrape(BrokerFixture fixture) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fixture.broker().metrics().writeTo(out);
        return Exposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** Scrapes until {@code done} holds (the broker counts asynchronously to what the client sees), at most 10 s. */
    private static Exposition scrapeUntil(BrokerFixture fixture, Predicate<Exposition> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Exposition e = scrape(fixture);
        while (!done.test(e) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            e = scrape(fixture);
        }
        return e;
    }

    private static String queueSeries(String name, String queue) {
        return name + "{vhost=\"/\",queue=\"" + queue + "\"}";
    }

    private static Message persistent(String key, String body) {
        return Message.builder(key).payload(body).persistent(true).build();
    }

    @Test
    void shouldCountWhatClientsPublishConsumeAndAcknowledgeExactly() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withStore(FsyncPolicy.of("always", Duration.ZERO),
                c.minFreeDisk()))) {
            RelaisClient c = fixture.client();
            c.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).join();
            c.bind(QUEUE, "", QUEUE).join();
            Exposition before = scrape(fixture);
            assertThat(before.require(queueSeries("relais_queue_messages_ready", QUEUE))).isZero();

            for (int i = 0; i < 10; i++) {
                c.publishConfirmed(persistent(QUEUE, "m" + i)).join();
            }
            c.publishConfirmed(persistent("nobody.listens", "lost")).join();
            Exposition published = scrapeUntil(fixture,
                    e -> e.require("relais_messages_confirmed_total") - before.require("relais_messages_confirmed_total") >= 11);
            assertThat(delta(before, published, "relais_messages_published_total")).isEqualTo(11);
            assertThat(delta(before, published, "relais_messages_routed_total")).isEqualTo(10);
            assertThat(delta(before, published, "relais_messages_unroutable_total")).isEqualTo(1);
            assertThat(delta(before, published, "relais_messages_confirmed_total")).isEqualTo(11);
            assertThat(delta(before, published, "relais_messages_nacked_total")).isZero();
            assertThat(published.require(queueSeries("relais_queue_messages_ready", QUEUE))).isEqualTo(10);
            assertThat(published.require(queueSeries("relais_queue_messages_enqueued_total", QUEUE))).isEqualTo(10);
            assertThat(published.require("relais_messages_ready")).isEqualTo(10);
            assertThat(delta(before, published, "relais_network_received_bytes_total")).isPositive();
            assertThat(delta(before, published, "relais_network_sent_bytes_total")).isPositive();
            // fsync always: every confirmed batch was synced first.
            assertThat(published.require("relais_store_sync_duration_seconds_count")).isPositive();

            LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
            c.subscribeQueue(QUEUE, SubscribeOptions.defaults().manualAck(true).prefetch(100), inbox::add).join();
            List<Delivery> got = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Delivery d = inbox.poll(10, TimeUnit.SECONDS);
                assertThat(d).as("delivery %d", i).isNotNull();
                got.add(d);
            }
            Exposition delivered = scrapeUntil(fixture,
                    e -> e.require(queueSeries("relais_queue_messages_unacked", QUEUE)) == 10);
            assertThat(delta(before, delivered, "relais_messages_delivered_total")).isEqualTo(10);
            assertThat(delivered.require(queueSeries("relais_queue_messages_unacked", QUEUE))).isEqualTo(10);
            assertThat(delivered.require(queueSeries("relais_queue_messages_ready", QUEUE))).isZero();
            assertThat(delivered.require(queueSeries("relais_queue_consumers", QUEUE))).isEqualTo(1);
            got.forEach(Delivery::ack);
            Exposition acked = scrapeUntil(fixture,
                    e -> e.require("relais_messages_acked_total") - before.require("relais_messages_acked_total") >= 10
                            && e.require(queueSeries("relais_queue_messages_unacked", QUEUE)) == 0);
            assertThat(delta(before, acked, "relais_messages_acked_total")).isEqualTo(10);
            assertThat(delta(before, acked, "relais_messages_delivered_total")).isEqualTo(10);
            assertThat(delta(before, acked, "relais_messages_redelivered_total")).isZero();
            assertThat(acked.require(queueSeries("relais_queue_messages_unacked", QUEUE))).isZero();
            assertThat(acked.require(queueSeries("relais_queue_messages_delivered_total", QUEUE))).isEqualTo(10);
            assertThat(acked.require("relais_connections{state=\"open\"}")).isEqualTo(1);
            assertThat(acked.require("relais_memory_alarm")).isZero();
            assertThat(acked.require("relais_disk_alarm")).isZero();
            assertThat(acked.require("relais_disk_free_bytes")).isPositive();

            assertThatThrownBy(() -> fixture.client(b -> b.password("wrong"))).isNotNull();
            Exposition refused = scrapeUntil(fixture, e -> e.require("relais_auth_failures_total") >= 1);
            assertThat(refused.require("relais_auth_failures_total")).isEqualTo(1);
        }
    }

    private static double delta(Exposition before, Exposition after, String series) {
        return after.require(series) - before.require(series);
    }

    @Test
    void shouldCountAPublisherThatFlowControlStopsUntilItGoes() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withFlow(new FlowLimits(20, 64L << 20, 1L << 30, 0)))) {
            RelaisClient admin = fixture.client();
            admin.declareQueue(QueueDeclaration.named(QUEUE)).join();
            admin.bind(QUEUE, "", QUEUE).join();
            RelaisClient publisher = fixture.client();
            for (int i = 0; i < 200; i++) {
                publisher.publish(Message.builder(QUEUE).payload("x" + i).build());
            }
            // The queue marks itself congested on its own loop: once all 200 are in, the next publish is the
            // one that stops the publisher, whichever loops the two landed on.
            scrapeUntil(fixture, e -> e.require(queueSeries("relais_queue_messages_ready", QUEUE)) == 200);
            publisher.publish(Message.builder(QUEUE).payload("one more").build());
            Exposition blocked = scrapeUntil(fixture, e -> e.require("relais_flow_blocked_publishers") == 1);
            assertThat(blocked.require("relais_flow_blocked_publishers")).isEqualTo(1);
            assertThat(blocked.require(queueSeries("relais_queue_messages_ready", QUEUE))).isGreaterThanOrEqualTo(20);
            publisher.close();
            Exposition gone = scrapeUntil(fixture, e -> e.require("relais_flow_blocked_publishers") == 0
                    && e.require("relais_connections{state=\"open\"}") == 1);
            assertThat(gone.require("relais_flow_blocked_publishers")).isZero();
            assertThat(gone.require("relais_connections_closed_total")).isEqualTo(1);
            assertThat(gone.require("relais_connections_opened_total")).isEqualTo(2);
            admin.purgeQueue(QUEUE).join();
        }
    }

    @Test
    void shouldLeaveThePerQueueSeriesOutWhenSwitchedOff() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMetrics(
                new MetricsConfig(false, true, Duration.ofSeconds(10))))) {
            RelaisClient c = fixture.client();
            c.declareQueue(QueueDeclaration.named(QUEUE)).join();
            c.bind(QUEUE, "", QUEUE).join();
            c.publishConfirmed(Message.builder(QUEUE).payload("x").build()).join();
            Exposition e = scrapeUntil(fixture, x -> x.require("relais_messages_ready") == 1);
            assertThat(e.samples().keySet()).noneMatch(s -> s.startsWith("relais_queue_"));
            assertThat(e.require("relais_queues")).isEqualTo(1);
            assertThat(e.require("relais_messages_ready")).isEqualTo(1);
            assertThat(e.samples().keySet()).anyMatch(s -> s.startsWith("jvm_"));
        }
    }

    @Test
    void shouldScrapeTenThousandQueuesQuickly() throws Exception {
        int queues = 10_000;
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withSecurityLimits(new SecurityLimits(10_000, 2_000,
                5_000, 0, 0, 1_000)))) {
            RelaisClient c = fixture.client();
            for (int from = 0; from < queues; from += 500) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (int i = from; i < from + 500; i++) {
                    batch.add(c.declareQueue(QueueDeclaration.named("many-" + i)));
                }
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(4 << 20);
            long[] millis = new long[10];
            for (int round = 0; round < millis.length; round++) {
                out.reset();
                long start = System.nanoTime();
                fixture.broker().metrics().writeTo(out);
                millis[round] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            Exposition e = Exposition.parse(out.toString(StandardCharsets.UTF_8));
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            System.out.printf("scrape of %d queues: %d bytes; ms per scrape %s, median %d ms, first %d ms%n", queues,
                    out.size(), Arrays.toString(millis), sorted[sorted.length / 2], millis[0]);
            assertThat(e.require("relais_queues")).isEqualTo(queues);
            assertThat(e.samples().keySet().stream().filter(s -> s.startsWith("relais_queue_messages_ready{")))
                    .hasSize(queues);
            // The issue asks for under 100 ms; a generous bound here, so that a busy machine does not fail the build.
            assertThat(sorted[sorted.length / 2]).as("median scrape time, ms").isLessThan(1000);
        }
    }
}
