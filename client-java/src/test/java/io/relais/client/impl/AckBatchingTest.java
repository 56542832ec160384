package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.relais.client.Delivery;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Acknowledgements coalesced into ACK with {@code multiple} (issue 11): the frames the client sends for every
 * order of settlements. To make the settlements reach the event loop in one drain, a test holds the client's
 * event loop while it settles, then lets it go.
 */
class AckBatchingTest {
    private MockServer server;
    private RelaisClient client;
    /** Deliveries received, by tag. */
    private final Map<Long, Delivery> byTag = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();

    private static List<Frame> broker(Frame frame) {
        if (frame instanceof Subscribe s) {
            return List.of(new SubscribeOk(s.requestId(), s.sid(), s.queue().isEmpty() ? "sub-" + s.sid() : s.queue()));
        } else if (frame instanceof QueuePurge p) {
            return List.of(new Ok(p.requestId(), 0));
        }
        return List.of();
    }

    private void connect() throws Exception {
        server = new MockServer().script(AckBatchingTest::broker).start();
        client = server.clientBuilder().requestTimeout(Duration.ofSeconds(5)).connect();
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private Subscription manual(String queue, SubscribeOptions options) throws Exception {
        Subscription sub = client.subscribeQueue(queue, options.manualAck(true), d -> {
            byTag.put(d.deliveryTag(), d);
            received.add(d);
        }).get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);
        return sub;
    }

    private Subscription manual(String queue) throws Exception {
        return manual(queue, SubscribeOptions.defaults());
    }

    private static Deliver deliver(long sid, long tag) {
        return new Deliver(sid, tag, 0, "", "k", Properties.EMPTY, Unpooled.copiedBuffer("m" + tag, StandardCharsets.UTF_8));
    }

    /** Sends deliveries and waits until the handler has them all. */
    private void deliverAll(Deliver... frames) throws InterruptedException {
        server.send(frames);
        for (int i = 0; i < frames.length; i++) {
            assertThat(received.poll(5, TimeUnit.SECONDS)).as("delivery %d of %d", i + 1, frames.length).isNotNull();
        }
    }

    /** Runs {@code settle} while the client's event loop is held, so that its settlements arrive in one drain. */
    private void inOneBatch(Runnable settle) throws Exception {
        EventLoop loop = ((ClientFacade) client).currentConnection().channel().eventLoop();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        try {
            settle.run();
        } finally {
            release.countDown();
        }
    }

    /** The settlement frames the server received up to the next QUEUE_PURGE, which marks the end. */
    private List<Frame> settlementsSent() throws Exception {
        client.purgeQueue("marker").get(5, TimeUnit.SECONDS);
        List<Frame> frames = new ArrayList<>();
        while (true) {
            Frame f = server.take();
            if (f instanceof QueuePurge) {
                return frames;
            }
            frames.add(f);
        }
    }

    private void ack(long... tags) {
        for (long t : tags) {
            byTag.get(t).ack();
        }
    }

    @Test
    void shouldSendOneAckWithMultipleWhenInOrderAcksArriveTogether() throws Exception {
        connect();
        Subscription sub = manual("jobs");
        deliverAll(deliver(sub.sid(), 1), deliver(sub.sid(), 2), deliver(sub.sid(), 3), deliver(sub.sid(), 4),
                deliver(sub.sid(), 5));

        inOneBatch(() -> ack(1, 2, 3, 4, 5));

        assertThat(settlementsSent()).containsExactly(new Ack(5, true));
    }

    @Test
    void shouldCoverOnlyTheContiguousAcksAndSendTheRestExactlyWhenAcksAreOutOfOrder() throws Exception {
        connect();
        Subscription sub = manual("jobs");
        deliverAll(deliver(sub.sid(), 1), deliver(sub.sid(), 2), deliver(sub.sid(), 3), deliver(sub.sid(), 4),
                deliver(sub.sid(), 5));

        inOneBatch(() -> ack(2, 1, 5, 4)); // 3 is still being worked on

        assertThat(settlementsSent()).containsExactly(new Ack(2, true), new Ack(5, false), new Ack(4, false));

        inOneBatch(() -> ack(3));
        assertThat(settlementsSent()).containsExactly(new Ack(3, false));
    }

    @Test
    void shouldSendTheCollectedAcksBeforeANackOrRejectAndKeepTheApplicationsOrder() throws Exception {
        connect();
        Subscription sub = manual("jobs");
        deliverAll(deliver(sub.sid(), 1), deliver(sub.sid(), 2), deliver(sub.sid(), 3), deliver(sub.sid(), 4),
                deliver(sub.sid(), 5), deliver(sub.sid(), 6));

        inOneBatch(() -> {
            ack(1, 2);
            byTag.get(3L).nack(true);
            ack(4, 5);
            byTag.get(6L).reject(false);
        });

        // 3 was refused by a frame already written when ACK(5, multiple) goes out: it is no longer outstanding.
        assertThat(settlementsSent()).containsExactly(new Ack(2, true), new Nack(3, false, true), new Ack(5, true),
                new Reject(6, false));
    }

    @Test
    void shouldNotCoverAnotherSubscriptionsUnacknowledgedDeliveryWhenTagsInterleave() throws Exception {
        connect();
        Subscription a = manual("a");
        Subscription b = manual("b");
        deliverAll(deliver(a.sid(), 1), deliver(b.sid(), 2), deliver(a.sid(), 3), deliver(a.sid(), 4));

        inOneBatch(() -> ack(1, 3, 4)); // tag 2 (subscription b) is not acknowledged

        assertThat(settlementsSent()).containsExactly(new Ack(1, false), new Ack(3, false), new Ack(4, false));

        inOneBatch(() -> ack(2));
        assertThat(settlementsSent()).containsExactly(new Ack(2, false));
    }

    @Test
    void shouldCoverAutoAckDeliveriesWhichAreNeverOutstanding() throws Exception {
        connect();
        Subscription auto = client.subscribe("", "#", received::add).get(5, TimeUnit.SECONDS);
        server.take(Subscribe.class);
        Subscription sub = manual("jobs");
        deliverAll(deliver(sub.sid(), 1), deliver(auto.sid(), 2), deliver(sub.sid(), 3));

        inOneBatch(() -> ack(1, 3));

        assertThat(settlementsSent()).containsExactly(new Ack(3, true));
    }

    @Test
    void shouldSendOneAckPerDeliveryWhenBatchingIsOff() throws Exception {
        connect();
        Subscription sub = manual("jobs", SubscribeOptions.defaults().batchAcks(false));
        deliverAll(deliver(sub.sid(), 1), deliver(sub.sid(), 2), deliver(sub.sid(), 3));

        inOneBatch(() -> ack(1, 2, 3));

        assertThat(settlementsSent()).containsExactly(new Ack(1, false), new Ack(2, false), new Ack(3, false));
    }

    @Test
    void shouldNotLetTheDeliveriesTheBrokerTookBackHoldBackCoalescingWhenAConsumerTimesOut() throws Exception {
        connect();
        Subscription slow = manual("slow");
        Subscription fast = manual("fast");
        deliverAll(deliver(slow.sid(), 1), deliver(fast.sid(), 2), deliver(fast.sid(), 3));
        server.send(new Cancelled(slow.sid(), ErrorCode.CONSUMER_TIMEOUT.code(), "delivery tag 1 timed out"));
        slow.cancelledByBroker().get(5, TimeUnit.SECONDS);

        inOneBatch(() -> ack(1, 2, 3)); // the late ack of 1 sends nothing: the broker requeued it

        assertThat(settlementsSent()).containsExactly(new Ack(3, true));
    }

    @Test
    void shouldKeepAPrefetchOfOneFlowingWhenTheBrokerSendsTheNextDeliveryOnlyAfterEachAck() throws Exception {
        AtomicLong sid = new AtomicLong();
        int count = 50;
        server = new MockServer().script(frame -> {
            if (frame instanceof Ack a && a.deliveryTag() < count) {
                return List.of(deliver(sid.get(), a.deliveryTag() + 1));
            }
            return broker(frame);
        }).start();
        client = server.clientBuilder().connect();
        CountDownLatch all = new CountDownLatch(count);
        Subscription sub = client.subscribeQueue("one", SubscribeOptions.defaults().manualAck(true).prefetch(1), d -> {
            d.ack();
            all.countDown();
        }).get(5, TimeUnit.SECONDS);
        sid.set(sub.sid());
        server.take(Subscribe.class);

        server.send(deliver(sub.sid(), 1));

        assertThat(all.await(10, TimeUnit.SECONDS)).as("every delivery handled without a stall").isTrue();
        List<Frame> acks = settlementsSent();
        assertThat(acks).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(acks.get(i)).isEqualTo(new Ack(i + 1, false));
        }
    }

    @Test
    void shouldNeverAcknowledgeMoreThanTheApplicationDidWhenManyThreadsAckInAnyOrder() throws Exception {
        connect();
        Subscription a = manual("a");
        Subscription b = manual("b");
        int count = 400;
        Deliver[] frames = new Deliver[count];
        for (int i = 0; i < count; i++) {
            frames[i] = deliver(i % 3 == 0 ? b.sid() : a.sid(), i + 1);
        }
        deliverAll(frames);
        List<Long> acked = new ArrayList<>();
        for (long t = 1; t <= count; t++) {
            if (t % 7 != 0) {
                acked.add(t); // every seventh is never acknowledged
            }
        }
        Collections.shuffle(acked, new Random(11));
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            int part = i;
            threads[i] = new Thread(() -> {
                for (int j = part; j < acked.size(); j += threads.length) {
                    byTag.get(acked.get(j)).ack();
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }

        // Replay the frames as the broker would (PROTOCOL.md 7.4) and check what ends up settled.
        TreeSet<Long> outstanding = new TreeSet<>();
        for (long t = 1; t <= count; t++) {
            outstanding.add(t);
        }
        for (Frame f : settlementsSent()) {
            Ack ack = (Ack) f;
            assertThat(outstanding).as("the tag of %s is outstanding", ack).contains(ack.deliveryTag());
            if (ack.multiple()) {
                outstanding.headSet(ack.deliveryTag(), true).clear();
            } else {
                outstanding.remove(ack.deliveryTag());
            }
        }
        List<Long> neverAcked = new ArrayList<>();
        for (long t = 7; t <= count; t += 7) {
            neverAcked.add(t);
        }
        assertThat(outstanding).containsExactlyElementsOf(neverAcked);
    }
}
