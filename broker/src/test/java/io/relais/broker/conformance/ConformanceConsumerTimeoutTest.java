package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.QueueDeclareOk;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 7.9 (the consumer timeout), 4.28 (CANCELLED with 1012) and 9.1 (2011), against a
 * broker whose consumer timeout is 1 s. Each test has queues of its own holding {@code m0, m1, ...}.
 */
@DisplayName("7.9, 4.28 Consumer timeout")
class ConformanceConsumerTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final AtomicInteger QUEUES = new AtomicInteger();
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker(c -> c.withConsumerTimeout(TIMEOUT));

    private static String queueWith(Peer peer, int messages) throws IOException {
        String queue = "timeout.q" + QUEUES.incrementAndGet();
        peer.declareBoundQueue(queue);
        for (int i = 0; i < messages; i++) {
            peer.publishAcked(queue, "m" + i);
        }
        return queue;
    }

    @Test
    @DisplayName("7.9, 4.28: a delivery not acked within the timeout ends its subscription with CANCELLED(1012); "
            + "all its deliveries are requeued, redelivered; other subscriptions and the connection go on")
    void shouldCancelAndRequeueWhenADeliveryIsNotAcknowledgedInTime() throws IOException {
        Peer peer = BROKER.open();
        String queue = queueWith(peer, 3);
        String other = queueWith(peer, 0);
        peer.subscribe(2, other, true, 10);
        long start = System.nanoTime();
        peer.subscribe(1, queue, true, 10);
        List<Deliver> first = List.of(peer.expect(Deliver.class), peer.expect(Deliver.class),
                peer.expect(Deliver.class));
        Cancelled cancelled = peer.expect(Cancelled.class);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(cancelled.sid()).isEqualTo(1);
        assertThat(cancelled.code()).isEqualTo(ErrorCode.CONSUMER_TIMEOUT.code());
        assertThat(cancelled.reason()).contains("delivery tag " + first.get(0).deliveryTag(), "1000 ms",
                "3 unacknowledged deliveries were requeued");
        assertThat(seconds).as("seconds until CANCELLED (timeout 1 s)").isBetween(0.95, 2.0);

        // The tags are no longer outstanding (4.28): ACK of one is 1009, and the connection stays open.
        peer.send(new Ack(first.get(1).deliveryTag(), false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
        peer.eventually(() -> {
            QueueDeclareOk q = peer.passive(queue);
            assertThat(q.messageCount()).as("ready messages of %s", queue).isEqualTo(3);
            assertThat(q.consumerCount()).as("consumers of %s", queue).isZero();
        });

        // The other subscription of the connection is not affected.
        peer.publishAcked(other, "still here");
        Deliver d = peer.expect(Deliver.class);
        assertThat(d.sid()).isEqualTo(2);
        peer.send(new Ack(d.deliveryTag(), false));

        // The requeued messages come again, in order, flagged redelivered, to the next consumer.
        peer.subscribe(1, queue, true, 10);
        List<Frame> again = peer.read(3);
        assertThat(again).allSatisfy(f -> assertThat(f).isInstanceOfSatisfying(Deliver.class,
                x -> assertThat(x.flags() & Deliver.REDELIVERED).isEqualTo(Deliver.REDELIVERED)));
        assertThat(again.stream().map(f -> Peer.text((Deliver) f)).toList()).containsExactly("m0", "m1", "m2");
        peer.send(new Ack(((Deliver) again.get(2)).deliveryTag(), true));
        peer.expectOpen();
        FaultSummary.report("consumer-timeout/server-cancel", "3 deliveries not acked: CANCELLED(1012) after %.1f s "
                + "(timeout %d ms), all 3 requeued and redelivered in order", seconds, TIMEOUT.toMillis());
    }

    @Test
    @DisplayName("7.9: the timeout is per delivery: a consumer that acks each delivery in time keeps its subscription")
    void shouldKeepASubscriptionWhoseDeliveriesAreAcknowledgedInTime() throws IOException {
        Peer peer = BROKER.open();
        int messages = 6;
        String queue = queueWith(peer, messages);
        long start = System.nanoTime();
        peer.subscribe(1, queue, true, 1);
        for (int i = 0; i < messages; i++) {
            Deliver d = peer.expect(Deliver.class);
            assertThat(Peer.text(d)).isEqualTo("m" + i);
            assertThat(d.flags() & Deliver.REDELIVERED).as("redelivered flag of m%d", i).isZero();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400));
            peer.send(new Ack(d.deliveryTag(), false));
        }
        assertThat((System.nanoTime() - start) / 1e9).as("the subscription outlived the timeout").isGreaterThan(2.0);
        peer.expectOpen();
    }

    @Test
    @DisplayName("7.9, 9.1: without server-cancel, a delivery not acked in time closes the connection with "
            + "ERROR(0, 2011); its deliveries are requeued")
    void shouldCloseTheConnectionWithoutServerCancel() throws IOException {
        Peer admin = BROKER.open();
        String queue = queueWith(admin, 2);
        Peer peer = BROKER.open(List.of(ProtocolVersion.CAP_CONFIRMS, ProtocolVersion.CAP_RETURNS,
                ProtocolVersion.CAP_MANUAL_ACK));
        long start = System.nanoTime();
        peer.subscribe(1, queue, true, 10);
        peer.expect(Deliver.class);
        peer.expect(Deliver.class);
        peer.expectFatal(ErrorCode.ACK_TIMEOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("seconds until the close (timeout 1 s)").isBetween(0.95, 2.0);
        admin.eventually(() -> assertThat(admin.passive(queue).messageCount()).isEqualTo(2));
        FaultSummary.report("consumer-timeout/no-server-cancel", "2 deliveries not acked: closed with 2011 after "
                + "%.1f s (timeout %d ms), both requeued", seconds, TIMEOUT.toMillis());
    }
}
