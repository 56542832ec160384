package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.Reject;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.30 ACK, 4.31 NACK, 4.32 REJECT (every row of their error tables) and 7.4-7.5
 * (automatic and manual acknowledgement, prefetch, redelivery). Each test has queues of its own,
 * named after a counter, holding the messages {@code m0, m1, ...}.
 */
@DisplayName("4.30-4.32, 7.4, 7.5 Acknowledgements")
class ConformanceAckTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();
    /**
     * Requeue order is checked on this many queues: the broker spreads queues over its event loops,
     * and a departure may show only when a queue and its consumer live on different ones.
     */
    private static final int ROUNDS = 8;
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformanceAckTest(Peer peer) {
        this.peer = peer;
    }

    /** A new queue bound to the default exchange by its name, holding {@code messages} messages m0, m1, ... */
    private String queueWith(int messages) throws IOException {
        String queue = "ack.q" + QUEUES.incrementAndGet();
        peer.declareBoundQueue(queue);
        for (int i = 0; i < messages; i++) {
            peer.publishAcked(queue, "m" + i);
        }
        return queue;
    }

    /** Subscribes {@code sid} to {@code queue} with manual ack and {@code prefetch}, and reads {@code n} deliveries. */
    private List<Deliver> consume(long sid, String queue, long prefetch, int n) throws IOException {
        peer.subscribe(sid, queue, true, prefetch);
        return deliveries(n);
    }

    private List<Deliver> deliveries(int n) throws IOException {
        List<Frame> frames = peer.read(n);
        assertThat(frames).as("the next %d frames are deliveries", n).allMatch(Deliver.class::isInstance);
        return Peer.all(frames, Deliver.class);
    }

    private QueueInfo info(String queue) throws IOException {
        return peer.call(QueueList::new, QueueListOk.class).queues().stream().filter(q -> q.name().equals(queue))
                .findFirst().orElseThrow();
    }

    /** The queue holds {@code ready} ready and {@code unacked} unacknowledged messages. */
    private void expectCounts(String queue, long ready, long unacked) throws IOException {
        QueueInfo q = info(queue);
        assertThat(q.messages()).as("ready messages in %s", queue).isEqualTo(ready);
        assertThat(q.unacked()).as("unacknowledged messages in %s", queue).isEqualTo(unacked);
    }

    // ---------------------------------------------------------------------------------------- ACK

    @Test
    @DisplayName("4.30: ACK of an outstanding tag settles it, with no answer")
    void shouldSettleOnAck() throws IOException {
        String queue = queueWith(1);
        Deliver d = consume(1, queue, 10, 1).get(0);
        peer.send(new Ack(d.deliveryTag(), false));
        peer.expectOpen();
        expectCounts(queue, 0, 0);
    }

    @Test
    @DisplayName("4.30, 7.4: ACK with multiple settles that tag and every outstanding lower one, across subscriptions")
    void shouldSettleAllLowerTagsOnMultipleAck() throws IOException {
        String a = queueWith(2);
        String b = queueWith(1);
        consume(1, a, 10, 2);
        Deliver last = consume(2, b, 10, 1).get(0);
        assertThat(last.deliveryTag()).isEqualTo(3);
        peer.send(new Ack(3, true));
        peer.expectOpen();
        expectCounts(a, 0, 0);
        expectCounts(b, 0, 0);
    }

    @Test
    @DisplayName("4.30 errors: ACK of a tag never delivered is ERROR(0, 1009)")
    void shouldRefuseAnUnknownTag() throws IOException {
        peer.send(new Ack(99, false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.30 errors, 7.4: settling a tag twice is ERROR(0, 1009)")
    void shouldRefuseASecondAck() throws IOException {
        String queue = queueWith(1);
        Deliver d = consume(1, queue, 10, 1).get(0);
        peer.send(new Ack(d.deliveryTag(), false));
        peer.send(new Ack(d.deliveryTag(), false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.30 errors, 7.4: ACK of an automatic-ack delivery is ERROR(0, 1009)")
    void shouldRefuseAckOfAnAutomaticDelivery() throws IOException {
        String queue = queueWith(1);
        peer.subscribe(1, queue, false, 0);
        Deliver d = peer.expect(Deliver.class);
        peer.send(new Ack(d.deliveryTag(), false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.30 errors, 7.4: ACK multiple naming a tag that is not outstanding is ERROR(0, 1009) and settles "
            + "nothing")
    void shouldSettleNothingOnAMultipleAckOfAnUnknownTag() throws IOException {
        String queue = queueWith(2);
        consume(1, queue, 10, 2);
        peer.send(new Ack(50, true));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
        expectCounts(queue, 0, 2);
    }

    // ------------------------------------------------------------------------------ NACK, REJECT

    @Test
    @DisplayName("4.31, 7.5, 7.6: NACK with requeue puts the messages back at the head, in order, redelivered (8 "
            + "queues)")
    void shouldRequeueAtTheHeadOnNack() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            String queue = queueWith(3);
            List<Deliver> first = consume(round + 1, queue, 2, 2);
            assertThat(first).extracting(Peer::text).containsExactly("m0", "m1");
            peer.send(new Nack(first.get(1).deliveryTag(), true, true));
            List<Deliver> again = deliveries(2);
            assertThat(again).as("round %d: the deliveries after NACK of m0 and m1 with requeue", round)
                    .extracting(Peer::text).containsExactly("m0", "m1");
            assertThat(again).allSatisfy(d -> assertThat(d.flags() & Deliver.REDELIVERED)
                    .isEqualTo(Deliver.REDELIVERED));
            assertThat(again.get(0).deliveryTag()).as("tags are never reused (7.3)")
                    .isGreaterThan(first.get(1).deliveryTag());
            peer.send(new Ack(again.get(1).deliveryTag(), true));
            Deliver third = peer.expect(Deliver.class);
            assertThat(Peer.text(third)).isEqualTo("m2");
            assertThat(third.flags() & Deliver.REDELIVERED).isZero();
            // Settled, so that the next round's NACK with multiple does not requeue it as well.
            peer.send(new Ack(third.deliveryTag(), false));
        }
    }

    @Test
    @DisplayName("4.31: NACK without requeue drops the message")
    void shouldDropOnNackWithoutRequeue() throws IOException {
        String queue = queueWith(1);
        Deliver d = consume(1, queue, 10, 1).get(0);
        peer.send(new Nack(d.deliveryTag(), false, false));
        peer.expectOpen();
        expectCounts(queue, 0, 0);
    }

    @Test
    @DisplayName("4.31 errors: NACK of a tag that is not outstanding is ERROR(0, 1009), with or without multiple")
    void shouldRefuseNackOfAnUnknownTag() throws IOException {
        peer.send(new Nack(5, false, true));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.send(new Nack(6, true, false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.32, 7.5, 7.6: REJECT with requeue redelivers the message first, with the redelivered flag (8 "
            + "queues)")
    void shouldRequeueAtTheHeadOnReject() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            String queue = queueWith(2);
            Deliver d = consume(round + 1, queue, 1, 1).get(0);
            assertThat(Peer.text(d)).isEqualTo("m0");
            peer.send(new Reject(d.deliveryTag(), true));
            Deliver again = peer.expect(Deliver.class);
            assertThat(Peer.text(again)).as("round %d: the delivery after REJECT of m0 with requeue", round)
                    .isEqualTo("m0");
            assertThat(again.flags() & Deliver.REDELIVERED).isEqualTo(Deliver.REDELIVERED);
        }
    }

    @Test
    @DisplayName("4.32: REJECT without requeue drops the message")
    void shouldDropOnRejectWithoutRequeue() throws IOException {
        String queue = queueWith(1);
        Deliver d = consume(1, queue, 10, 1).get(0);
        peer.send(new Reject(d.deliveryTag(), false));
        peer.expectOpen();
        expectCounts(queue, 0, 0);
    }

    @Test
    @DisplayName("4.32 errors: REJECT of a tag that is not outstanding, or rejected already, is ERROR(0, 1009)")
    void shouldRefuseRejectOfAnUnknownTag() throws IOException {
        peer.send(new Reject(9, true));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        String queue = queueWith(1);
        Deliver d = consume(1, queue, 10, 1).get(0);
        peer.send(new Reject(d.deliveryTag(), false));
        peer.send(new Reject(d.deliveryTag(), false));
        peer.expectError(0, ErrorCode.UNKNOWN_DELIVERY_TAG);
        peer.expectOpen();
    }

    // ----------------------------------------------------------------------------------- prefetch

    @Test
    @DisplayName("4.25, 7.4: with prefetch 2 at most 2 deliveries are outstanding; settling one lets one more through")
    void shouldHoldBackBeyondThePrefetch() throws IOException {
        String queue = queueWith(5);
        List<Deliver> first = consume(1, queue, 2, 2);
        expectCounts(queue, 3, 2);
        peer.send(new Ack(first.get(0).deliveryTag(), false));
        assertThat(Peer.text(peer.expect(Deliver.class))).isEqualTo("m2");
        expectCounts(queue, 2, 2);
    }

    @Test
    @DisplayName("4.25, 12: prefetch 0 means the server default (1000), not zero")
    void shouldUseTheDefaultPrefetchForZero() throws IOException {
        String queue = queueWith(5);
        consume(1, queue, 0, 5);
        expectCounts(queue, 0, 5);
    }
}
