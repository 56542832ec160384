package io.relais.broker.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out fast path of {@link MessageQueue#enqueueOnLoop}: straight to the consumer while the
 * queue is idle and the consumer can take it, through the queue (and its overflow policy) otherwise,
 * and never out of order when the consumer switches between the two.
 */
class QueueFastPathTest {
    private final TestLoop loop = new TestLoop();
    private final MessageQueue.Listener listener = new MessageQueue.Listener() {
        @Override
        public CompletableFuture<?> unused(MessageQueue queue) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void deadLetter(String exchange, String routingKey, Message message) {
            message.release();
        }
    };

    /** Records every delivery in one list, direct or not, as the connection would write them. */
    private static final class Sink implements DeliverySink {
        final List<String> written = new CopyOnWriteArrayList<>();
        volatile int direct;
        volatile boolean writable = true;
        volatile boolean sameLoop = true;
        MessageQueue queue;

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void deliver(QueueConsumer consumer, Message message, boolean redelivered) {
            written.add(((TestMessage) message).body);
            consumer.settled(1);
            message.release();
        }

        @Override
        public boolean deliverDirect(QueueConsumer consumer, Message message) {
            if (!sameLoop) {
                return false;
            }
            written.add(((TestMessage) message).body);
            direct++;
            message.release();
            return true;
        }

        @Override
        public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        }

        /** As the connection does when its channel becomes writable again. */
        void becomeWritable() {
            writable = true;
            queue.scheduleDispatch();
        }
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private MessageQueue exclusiveQueue(QueueArguments args) {
        return new MessageQueue("/", "q", false, true, true, args, "c1", loop, listener, new MemoryBacklog(),
                FlowLimits.DEFAULTS);
    }

    private Sink consumed(MessageQueue q, boolean manualAck) {
        Sink sink = new Sink();
        sink.queue = q;
        QueueConsumer c = new QueueConsumer(q, sink, 1, manualAck, 10, false);
        q.addConsumer(c).join();
        c.start();
        settle();
        return sink;
    }

    private void offerOnLoop(MessageQueue q, int from, int to) {
        loop.execute(() -> {
            for (int i = from; i < to; i++) {
                Message m = new TestMessage(String.valueOf(i), null);
                q.handingOver(m);
                q.enqueueOnLoop(m);
            }
        });
        settle();
    }

    /** Waits for the tasks given so far and those they gave in turn (a dispatch scheduled by an offer). */
    private void settle() {
        for (int i = 0; i < 3; i++) {
            loop.drain();
        }
    }

    private static List<String> range(int from, int to) {
        List<String> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(String.valueOf(i));
        }
        return list;
    }

    @Test
    void shouldBeACandidateOnlyWhenExclusiveInMemoryAndNeverRefusing() {
        assertThat(exclusiveQueue(QueueArguments.NONE).fanOutCandidate()).isTrue();
        assertThat(exclusiveQueue(QueueArguments.maxLength(10)).fanOutCandidate()).isTrue();
        assertThat(exclusiveQueue(QueueArguments.parse(Map.of("max-length", 5L, "overflow", "reject-publish")))
                .fanOutCandidate()).isFalse();
        MessageQueue shared = new MessageQueue("/", "s", false, false, false, QueueArguments.NONE, null, loop, listener,
                new MemoryBacklog(), FlowLimits.DEFAULTS);
        assertThat(shared.fanOutCandidate()).isFalse();
    }

    @Test
    void shouldDeliverStraightAndCountItWhenTheQueueIsIdleAndTheConsumerKeepsUp() {
        MessageQueue q = exclusiveQueue(QueueArguments.NONE);
        Sink sink = consumed(q, false);
        offerOnLoop(q, 0, 100);
        assertThat(sink.written).isEqualTo(range(0, 100));
        assertThat(sink.direct).isEqualTo(100);
        assertThat(q.messageCount()).isZero();
        assertThat(q.enqueuedTotal()).isEqualTo(100);
        assertThat(q.deliveredTotal()).isEqualTo(100);
        assertThat(q.memoryBytes()).isZero();
    }

    @Test
    void shouldCountMessagesBeingHandedOverTowardsMemoryUntilTheQueueTakesThem() {
        MessageQueue q = exclusiveQueue(QueueArguments.NONE);
        Sink sink = consumed(q, false);
        Message m = new TestMessage("hello", null);
        q.handingOver(m);
        assertThat(q.memoryBytes()).isEqualTo(5);
        loop.execute(() -> q.enqueueOnLoop(m));
        settle();
        assertThat(q.memoryBytes()).isZero();
        assertThat(sink.written).containsExactly("hello");
    }

    @Test
    void shouldKeepTheNewestThenGoStraightAgainWhenAPatternSubscriberFallsBehindAndCatchesUp() {
        MessageQueue q = exclusiveQueue(QueueArguments.maxLength(3));
        Sink sink = consumed(q, false);
        offerOnLoop(q, 0, 5);
        sink.writable = false;
        offerOnLoop(q, 5, 15);
        assertThat(sink.written).isEqualTo(range(0, 5));
        assertThat(q.messageCount()).as("drop-head keeps the newest 3").isEqualTo(3);
        sink.becomeWritable();
        settle();
        offerOnLoop(q, 15, 20);
        List<String> expected = range(0, 5);
        expected.addAll(range(12, 20));
        assertThat(sink.written).isEqualTo(expected);
        assertThat(sink.direct).isEqualTo(10);
        assertThat(q.deliveredTotal()).isEqualTo(13);
    }

    @Test
    void shouldQueueBehindWaitingMessagesWhenTheConsumerCanTakeAgainBeforeTheQueueDrained() {
        MessageQueue q = exclusiveQueue(QueueArguments.NONE);
        Sink sink = consumed(q, false);
        sink.writable = false;
        offerOnLoop(q, 0, 10);
        loop.execute(() -> {
            // Writable again, the dispatch it asks for not run yet: the next message must wait its turn.
            sink.becomeWritable();
            Message m = new TestMessage("10", null);
            q.handingOver(m);
            q.enqueueOnLoop(m);
        });
        settle();
        offerOnLoop(q, 11, 20);
        assertThat(sink.written).isEqualTo(range(0, 20));
        assertThat(sink.direct).isEqualTo(9);
    }

    @Test
    void shouldNeverReorderWhenWritabilityFlipsAtRandom() {
        MessageQueue q = exclusiveQueue(QueueArguments.NONE);
        Sink sink = consumed(q, false);
        Random random = new Random(42);
        int n = 0;
        for (int round = 0; round < 200; round++) {
            int burst = 1 + random.nextInt(20);
            offerOnLoop(q, n, n + burst);
            n += burst;
            if (random.nextBoolean()) {
                sink.writable = false;
            } else if (!sink.writable) {
                sink.becomeWritable();
            }
        }
        sink.becomeWritable();
        settle();
        assertThat(sink.written).isEqualTo(range(0, n));
        assertThat(sink.direct).isPositive().isLessThan(n);
    }

    @Test
    void shouldUseTheQueueWhenTheConsumerAcksManuallyOrTheSinkDeclines() {
        MessageQueue manual = exclusiveQueue(QueueArguments.NONE);
        Sink manualSink = consumed(manual, true);
        offerOnLoop(manual, 0, 3);
        assertThat(manualSink.written).isEqualTo(range(0, 3));
        assertThat(manualSink.direct).isZero();

        MessageQueue other = exclusiveQueue(QueueArguments.NONE);
        Sink otherLoop = consumed(other, false);
        otherLoop.sameLoop = false;
        offerOnLoop(other, 0, 3);
        assertThat(otherLoop.written).isEqualTo(range(0, 3));
        assertThat(otherLoop.direct).isZero();
    }
}
