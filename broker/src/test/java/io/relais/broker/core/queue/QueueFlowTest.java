package io.relais.broker.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.core.Reason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueueFlowTest {
    private final TestLoop loop = new TestLoop();
    private final List<MessageQueue> released = new CopyOnWriteArrayList<>();
    private final QueueFlow.Waiter waiter = released::add;

    /** Takes every delivery and keeps it unacknowledged; always writable. */
    private static final class HoldingSink implements DeliverySink {
        final List<Message> held = new CopyOnWriteArrayList<>();

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void deliver(QueueConsumer consumer, Message message, boolean redelivery) {
            held.add(message);
        }

        @Override
        public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        }
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private MessageQueue queue(Map<String, Object> args, FlowLimits limits) {
        return new MessageQueue("/", "q", false, false, false, QueueArguments.parse(args), null, loop,
                new MessageQueue.Listener() {
                    @Override
                    public CompletableFuture<?> unused(MessageQueue queue) {
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void deadLetter(String exchange, String routingKey, Message message) {
                    }
                }, new MemoryBacklog(), limits);
    }

    private static void offer(MessageQueue q, int n, long arrival) {
        for (int i = 0; i < n; i++) {
            q.enqueue(new TestMessage("", "k", "m" + i, null, null, arrival));
        }
    }

    @Test
    void shouldStopPublishersAtMaxLengthAndReleaseThemAtHalfWhenOverflowIsBlock() {
        MessageQueue q = queue(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 4L), FlowLimits.DEFAULTS);
        offer(q, 3, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().congested()).isFalse();
        assertThat(q.flow().park(waiter)).isFalse();
        offer(q, 2, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().congested()).isTrue();
        assertThat(q.messageCount()).isEqualTo(5);
        assertThat(q.flow().park(waiter)).isTrue();

        HoldingSink sink = new HoldingSink();
        QueueConsumer c = new QueueConsumer(q, sink, 1, true, 2, false);
        q.addConsumer(c).join();
        c.start();
        loop.drain();
        loop.drain();
        assertThat(q.messageCount()).isEqualTo(3);
        assertThat(q.flow().congested()).as("3 ready is above half of 4").isTrue();
        assertThat(released).isEmpty();

        q.acked(List.of(sink.held.get(0)));
        c.settled(1);
        loop.drain();
        loop.drain();
        assertThat(q.messageCount()).isEqualTo(2);
        assertThat(q.flow().congested()).isFalse();
        assertThat(released).containsExactly(q);
    }

    @Test
    void shouldStopPublishersWhenTheOldestReadyMessageWaitsLongerThanTheMaxDelayWhileTheQueueHasConsumers() {
        MessageQueue q = queue(Map.of(QueueArguments.FLOW_MAX_DELAY, 50L), FlowLimits.DEFAULTS);
        long old = System.currentTimeMillis() - 1000;
        offer(q, 3, old);
        loop.drain();
        assertThat(q.flow().congested()).as("no consumer: the queue is a buffer").isFalse();

        HoldingSink sink = new HoldingSink();
        QueueConsumer c = new QueueConsumer(q, sink, 1, true, 1, false);
        q.addConsumer(c).join();
        c.start();
        loop.drain();
        loop.drain();
        assertThat(sink.held).hasSize(1);
        assertThat(q.flow().congested()).as("two ready messages waited a second, the consumer is full").isTrue();
        assertThat(q.flow().park(waiter)).isTrue();

        for (int i = 0; i < 2; i++) {
            q.acked(List.of(sink.held.get(i)));
            c.settled(1);
            loop.drain();
            loop.drain();
        }
        assertThat(q.messageCount()).isZero();
        assertThat(q.flow().congested()).isFalse();
        assertThat(released).containsExactly(q);
    }

    @Test
    void shouldIgnoreTheDelayWhenTheMaxDelayIsZero() {
        MessageQueue q = queue(Map.of(QueueArguments.FLOW_MAX_DELAY, 0L), FlowLimits.DEFAULTS);
        HoldingSink sink = new HoldingSink();
        QueueConsumer c = new QueueConsumer(q, sink, 1, true, 1, false);
        q.addConsumer(c).join();
        c.start();
        offer(q, 10, System.currentTimeMillis() - 60_000);
        loop.drain();
        loop.drain();
        assertThat(q.flow().congested()).isFalse();
    }

    @Test
    void shouldTakeTheBrokerDefaultsWhenTheQueueHasNoLimits() {
        MessageQueue q = queue(Map.of(), new FlowLimits(6, 1 << 20, 1 << 30, 0));
        assertThat(q.flow().highMessages()).isEqualTo(6);
        assertThat(q.flow().highBytes()).isEqualTo(1 << 20);
        offer(q, 6, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().congested()).isTrue();
    }

    @Test
    void shouldStopPublishersAtTheByteWatermark() {
        MessageQueue q = queue(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH_BYTES, 10L), FlowLimits.DEFAULTS);
        offer(q, 4, System.currentTimeMillis());
        loop.drain();
        assertThat(q.byteCount()).isEqualTo(8);
        assertThat(q.flow().congested()).isFalse();
        offer(q, 1, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().congested()).isTrue();
    }

    @Test
    void shouldReleaseEveryWaiterWhenTheQueueIsDeleted() {
        MessageQueue q = queue(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 1L), FlowLimits.DEFAULTS);
        offer(q, 1, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().park(waiter)).isTrue();
        q.delete("test").join();
        assertThat(released).containsExactly(q);
        assertThat(q.flow().congested()).isFalse();
    }

    @Test
    void shouldNotTellAWaiterThatUnparked() {
        MessageQueue q = queue(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 1L), FlowLimits.DEFAULTS);
        offer(q, 1, System.currentTimeMillis());
        loop.drain();
        assertThat(q.flow().park(waiter)).isTrue();
        q.flow().unpark(waiter);
        q.purge().join();
        loop.drain();
        assertThat(q.flow().congested()).isFalse();
        assertThat(released).isEmpty();
    }

    @Test
    void shouldBlockByDefaultOnlyWhenTheQueueHasNoLengthLimit() {
        assertThat(queue(Map.of(), FlowLimits.DEFAULTS).flow()).isNotNull();
        assertThat(queue(Map.of(QueueArguments.MAX_LENGTH, 1L), FlowLimits.DEFAULTS).flow()).isNull();
        assertThat(queue(Map.of(QueueArguments.MAX_LENGTH_BYTES, 1L), FlowLimits.DEFAULTS).flow()).isNull();
        assertThat(QueueArguments.parse(Map.of(QueueArguments.MAX_LENGTH, 1L)).toMap())
                .isEqualTo(Map.of(QueueArguments.MAX_LENGTH, 1L));
        assertThat(QueueArguments.parse(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 1L)).toMap())
                .isEqualTo(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 1L));
        assertThat(QueueArguments.parse(Map.of(QueueArguments.OVERFLOW, "drop-head")).toMap())
                .isEqualTo(Map.of(QueueArguments.OVERFLOW, "drop-head"));
    }

    @Test
    void shouldHaveNoFlowControlWhenOverflowIsDropHeadOrRejectPublish() {
        assertThat(queue(Map.of(QueueArguments.OVERFLOW, "drop-head", QueueArguments.MAX_LENGTH, 1L),
                FlowLimits.DEFAULTS).flow()).isNull();
        assertThat(queue(Map.of(QueueArguments.OVERFLOW, "reject-publish", QueueArguments.MAX_LENGTH, 1L),
                FlowLimits.DEFAULTS).flow()).isNull();
    }

    @Test
    void shouldKeepEveryMessageOfABlockQueueBeyondItsMaxLength() {
        MessageQueue q = queue(Map.of(QueueArguments.OVERFLOW, "block", QueueArguments.MAX_LENGTH, 2L), FlowLimits.DEFAULTS);
        offer(q, 5, System.currentTimeMillis());
        q.applyLimits().join();
        assertThat(q.messageCount()).isEqualTo(5);
    }
}
