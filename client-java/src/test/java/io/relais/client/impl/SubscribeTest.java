package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.relais.client.Delivery;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Reject;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscribeTest {
    private MockServer server;
    private RelaisClient client;

    /** Answers SUBSCRIBE with SUBSCRIBE_OK (queue "q.SID" for pattern subscriptions), CANCEL and PURGE with OK. */
    private static List<Frame> broker(Frame frame) {
        if (frame instanceof Subscribe s) {
            String queue = s.queue().isEmpty() ? "relais.sub.conn-1." + s.sid() : s.queue();
            return List.of(new SubscribeOk(s.requestId(), s.sid(), queue));
        } else if (frame instanceof Cancel c) {
            return List.of(new Ok(c.requestId(), 0));
        } else if (frame instanceof QueuePurge p) {
            return List.of(new Ok(p.requestId(), 0));
        }
        return List.of();
    }

    private void connect(RelaisClient.Builder options) throws Exception {
        server = new MockServer().script(SubscribeTest::broker).start();
        client = options.server(server.address()).requestTimeout(Duration.ofSeconds(5)).connect();
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private static Deliver deliver(long sid, long tag, String body) {
        return new Deliver(sid, tag, 0, "ex", "k." + tag, Properties.builder().messageId("m" + tag).build(),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    @Test
    void shouldDeliverInOrderOnHandlerThreadAndReleaseFramesWhenServerDelivers() throws Exception {
        try (LeakWatcher leaks = new LeakWatcher()) {
            connect(RelaisClient.builder());
            int count = 500;
            List<String> bodies = new ArrayList<>();
            List<String> threads = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(count);
            Subscription sub = client.subscribe("ex", "k.#", d -> {
                bodies.add(d.payloadAsString());
                threads.add(Thread.currentThread().getName());
                done.countDown();
            }).get(5, TimeUnit.SECONDS);

            Subscribe sent = server.take(Subscribe.class);
            assertThat(sent.queue()).isEmpty();
            assertThat(sent.exchange()).isEqualTo("ex");
            assertThat(sent.pattern()).isEqualTo("k.#");
            assertThat(sent.manualAck()).isFalse();
            assertThat(sub.sid()).isEqualTo(sent.sid());
            assertThat(sub.queue()).isEqualTo("relais.sub.conn-1." + sent.sid());

            Frame[] frames = new Frame[count];
            for (int i = 0; i < count; i++) {
                // large enough bodies that some frames are split across reads
                frames[i] = deliver(sub.sid(), i + 1, i + ":" + "x".repeat(i * 7));
            }
            server.send(frames);

            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < count; i++) {
                assertThat(bodies.get(i)).startsWith(i + ":");
            }
            assertThat(threads).allMatch(t -> t.startsWith("relais-handler-"));
            client.close();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void shouldExposeDeliveryFieldsWhenHandlerReceivesMessage() throws Exception {
        connect(RelaisClient.builder());
        LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        Subscription sub = client.subscribeQueue("jobs", SubscribeOptions.defaults(), received::add)
                .get(5, TimeUnit.SECONDS);
        assertThat(sub.queue()).isEqualTo("jobs");

        server.send(new Deliver(sub.sid(), 9, Deliver.REDELIVERED, "ex", "a.b",
                Properties.builder().correlationId("c").build(), Unpooled.copiedBuffer(new byte[] {1, 2, 3})));

        Delivery d = received.poll(5, TimeUnit.SECONDS);
        assertThat(d).isNotNull();
        assertThat(d.sid()).isEqualTo(sub.sid());
        assertThat(d.deliveryTag()).isEqualTo(9);
        assertThat(d.redelivered()).isTrue();
        assertThat(d.exchange()).isEqualTo("ex");
        assertThat(d.routingKey()).isEqualTo("a.b");
        assertThat(d.properties().correlationId()).isEqualTo("c");
        assertThat(d.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldSendSettlementsWithTheRightTagsWhenSubscriptionIsManualAck() throws Exception {
        connect(RelaisClient.builder());
        Subscription sub = client.subscribeQueue("jobs", SubscribeOptions.defaults().manualAck(true).prefetch(5),
                d -> {
                    switch ((int) d.deliveryTag()) {
                        case 1 -> d.ack();
                        case 2 -> d.nack(true);
                        default -> d.reject(false);
                    }
                    d.ack(); // settling twice sends nothing more
                }).get(5, TimeUnit.SECONDS);
        Subscribe sent = server.take(Subscribe.class);
        assertThat(sent.queue()).isEqualTo("jobs");
        assertThat(sent.manualAck()).isTrue();
        assertThat(sent.prefetch()).isEqualTo(5);

        server.send(deliver(sub.sid(), 1, "a"), deliver(sub.sid(), 2, "b"), deliver(sub.sid(), 3, "c"));

        assertThat(server.take()).isEqualTo(new Ack(1, false));
        assertThat(server.take()).isEqualTo(new Nack(2, false, true));
        assertThat(server.take()).isEqualTo(new Reject(3, false));
        client.purgeQueue("jobs").get(5, TimeUnit.SECONDS);
        assertThat(server.take()).isInstanceOf(QueuePurge.class);
    }

    @Test
    void shouldSendNoAckWhenSubscriptionIsAutoAck() throws Exception {
        connect(RelaisClient.builder());
        CountDownLatch handled = new CountDownLatch(1);
        Subscription sub = client.subscribe("", "k.*", d -> {
            d.ack();
            handled.countDown();
        }).get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);

        server.send(deliver(sub.sid(), 1, "a"));
        assertThat(handled.await(5, TimeUnit.SECONDS)).isTrue();
        client.purgeQueue("q").get(5, TimeUnit.SECONDS);

        assertThat(server.take()).isInstanceOf(QueuePurge.class);
    }

    @Test
    void shouldSendCancelAndCompleteWhenSubscriptionIsCancelled() throws Exception {
        connect(RelaisClient.builder());
        Subscription sub = client.subscribe("", "k", d -> { }).get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);

        sub.cancel().get(5, TimeUnit.SECONDS);

        assertThat(server.take(Cancel.class).sid()).isEqualTo(sub.sid());
        assertThat(sub.cancel()).isDone();
    }

    @Test
    void shouldReportToListenersWhenServerCancelsSubscription() throws Exception {
        connect(RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);
        Subscription sub = client.subscribeQueue("jobs", SubscribeOptions.defaults(), d -> { })
                .get(5, TimeUnit.SECONDS);

        server.send(new Cancelled(sub.sid(), ErrorCode.QUEUE_DELETED.code(), "queue deleted"));

        RelaisException e = errors.poll(5, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.QUEUE_DELETED);
        assertThat(e.getMessage()).contains("jobs", "queue deleted");
        sub.cancel().get(1, TimeUnit.SECONDS); // already ended: completes without a CANCEL
    }

    @Test
    void shouldCompleteCancelledByBrokerAndSendNoAckWhenTheBrokerTookTheDeliveriesBack() throws Exception {
        connect(RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);
        LinkedBlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
        Subscription sub = client.subscribeQueue("jobs", SubscribeOptions.defaults().manualAck(true), held::add)
                .get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);
        assertThat(sub.cancelledByBroker()).isNotDone();
        server.send(deliver(sub.sid(), 1, "slow"));
        Delivery slow = held.poll(5, TimeUnit.SECONDS);
        assertThat(slow).isNotNull();

        server.send(new Cancelled(sub.sid(), ErrorCode.CONSUMER_TIMEOUT.code(),
                "delivery tag 1 was not acknowledged within the consumer timeout of 1800000 ms"));

        RelaisException why = sub.cancelledByBroker().get(5, TimeUnit.SECONDS);
        assertThat(why.code()).isEqualTo(ErrorCode.CONSUMER_TIMEOUT);
        assertThat(why.getMessage()).contains("jobs", "delivery tag 1", "consumer timeout");
        assertThat(errors.poll(5, TimeUnit.SECONDS)).isSameAs(why);
        slow.ack(); // the broker requeued it: acknowledging it now sends nothing
        client.purgeQueue("jobs").get(5, TimeUnit.SECONDS);
        assertThat(server.take()).as("the next frame after the late ack").isInstanceOf(QueuePurge.class);
        sub.cancel().get(1, TimeUnit.SECONDS); // already ended: completes without a CANCEL
    }

    @Test
    void shouldStillSendAcksWhenTheQueueWasDeleted() throws Exception {
        connect(RelaisClient.builder());
        LinkedBlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
        Subscription sub = client.subscribeQueue("jobs", SubscribeOptions.defaults().manualAck(true), held::add)
                .get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);
        server.send(deliver(sub.sid(), 1, "a"));
        Delivery d = held.poll(5, TimeUnit.SECONDS);
        server.send(new Cancelled(sub.sid(), ErrorCode.QUEUE_DELETED.code(), "queue deleted"));
        assertThat(sub.cancelledByBroker().get(5, TimeUnit.SECONDS).code()).isEqualTo(ErrorCode.QUEUE_DELETED);
        d.ack(); // 4.28: after 1011 the delivery is still outstanding, and ACK settles it
        assertThat(server.take()).isEqualTo(new Ack(1, false));
    }

    @Test
    void shouldStopReadingWhenHandlerBacklogExceedsLimitAndResumeWhenItHalves() throws Exception {
        connect(RelaisClient.builder().maxPendingDeliveries(8));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(40);
        Subscription sub = client.subscribe("", "#", d -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            all.countDown();
        }).get(5, TimeUnit.SECONDS);
        Connection connection = ((ClientFacade) client).currentConnection();
        DeliveryDispatcherProbe probe = new DeliveryDispatcherProbe(connection);

        for (int i = 1; i <= 40; i++) {
            server.send(deliver(sub.sid(), i, "m" + i));
        }
        probe.awaitAutoRead(false);
        assertThat(probe.pending()).isGreaterThan(8);

        release.countDown();
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        probe.awaitAutoRead(true);
    }

    /** Reads the client's channel state for the backpressure test. */
    private static final class DeliveryDispatcherProbe {
        private final Connection connection;

        DeliveryDispatcherProbe(Connection connection) {
            this.connection = connection;
        }

        int pending() {
            return connection.pendingDeliveries();
        }

        void awaitAutoRead(boolean expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (connection.channel().config().isAutoRead() != expected) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("autoRead did not become " + expected);
                }
                Thread.sleep(5);
            }
        }
    }
}
