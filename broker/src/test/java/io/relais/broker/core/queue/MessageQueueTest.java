package io.relais.broker.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageQueueTest {
    private final TestLoop loop = new TestLoop();
    private final List<Message> deadLetters = new CopyOnWriteArrayList<>();
    private final MessageQueue.Listener listener = new MessageQueue.Listener() {
        @Override
        public CompletableFuture<?> unused(MessageQueue queue) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void deadLetter(String exchange, String routingKey, Message message) {
            deadLetters.add(message);
        }
    };

    /** Records deliveries; always writable. */
    private static final class Sink implements DeliverySink {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final List<Boolean> redelivered = new CopyOnWriteArrayList<>();
        final List<Reason> cancelled = new CopyOnWriteArrayList<>();

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void deliver(QueueConsumer consumer, Message message, boolean redelivery) {
            delivered.add(((TestMessage) message).body);
            redelivered.add(redelivery);
            if (!consumer.manualAck()) {
                consumer.settled(1);
                message.release();
            }
        }

        @Override
        public void cancelled(QueueConsumer consumer, Reason reason, String message) {
            cancelled.add(reason);
        }
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private MessageQueue queue(QueueArguments args) {
        return new MessageQueue("/", "q", false, false, false, args, null, loop, listener, new MemoryBacklog(), FlowLimits.DEFAULTS);
    }

    private QueueConsumer consumer(MessageQueue q, Sink sink, boolean manualAck, int prefetch) {
        QueueConsumer c = new QueueConsumer(q, sink, 1, manualAck, prefetch, false);
        q.addConsumer(c).join();
        return c;
    }

    @Test
    void shouldDeliverNothingWhenTheConsumerIsNotStartedYet() {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink sink = new Sink();
        QueueConsumer c = consumer(q, sink, false, 0);
        q.enqueue(new TestMessage("a", null));
        loop.drain();
        assertThat(sink.delivered).isEmpty();
        c.start();
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("a");
    }

    @Test
    void shouldDeliverAMessageWithTtlZeroWhenAConsumerCanTakeIt() {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink sink = new Sink();
        consumer(q, sink, false, 0).start();
        loop.drain();
        TestMessage m = new TestMessage("now", 0L);
        q.enqueue(m);
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("now");
        assertThat(m.refs.get()).isZero();
    }

    @Test
    void shouldDropAMessageWithTtlZeroWhenNoConsumerCanTakeIt() {
        MessageQueue q = queue(new QueueArguments(QueueArguments.NO_LIMIT, QueueArguments.NO_LIMIT, Overflow.DROP_HEAD, 0, "dlx", null, QueueArguments.NO_LIMIT));
        TestMessage m = new TestMessage("never", 0L);
        q.enqueue(m);
        loop.drain();
        loop.drain();
        assertThat(q.messageCount()).isZero();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).headers()).containsEntry("x-death-reason", "expired");
        Sink sink = new Sink();
        consumer(q, sink, false, 0).start();
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).isEmpty();
    }

    @Test
    void shouldExpireAMessageWhoseTtlPassedWhenItReachesTheHead() {
        MessageQueue q = queue(QueueArguments.NONE);
        q.enqueue(new TestMessage("", "k", "old", 10L, null, System.currentTimeMillis() - 1000));
        q.enqueue(new TestMessage("fresh", 60_000L));
        Sink sink = new Sink();
        consumer(q, sink, false, 0).start();
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("fresh");
    }

    @Test
    void shouldRedeliverRequeuedMessagesFirstAndFlagThemWhenNacked() {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink sink = new Sink();
        QueueConsumer c = consumer(q, sink, true, 1);
        c.start();
        q.enqueue(new TestMessage("1", null));
        q.enqueue(new TestMessage("2", null));
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("1");
        // Nack with requeue: the message comes back before "2", flagged.
        List<Message> back = new ArrayList<>();
        back.add(new TestMessage("1", null));
        q.requeue(back, () -> c.settled(1));
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("1", "1");
        assertThat(sink.redelivered).containsExactly(false, true);
    }

    @Test
    void shouldRedeliverARequeuedMessageFirstWhenADispatchIsAlreadyPending() throws Exception {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink sink = new Sink();
        QueueConsumer c = consumer(q, sink, true, 1);
        c.start();
        TestMessage m0 = new TestMessage("m0", null);
        q.enqueue(m0);
        q.enqueue(new TestMessage("m1", null));
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("m0");
        // Hold the loop, queue a dispatch, then give m0 back with its credit, as a NACK does.
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        q.scheduleDispatch();
        q.requeue(List.of(m0), () -> c.settled(1));
        hold.countDown();
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("m0", "m0");
        assertThat(sink.redelivered).containsExactly(false, true);
    }

    @Test
    void shouldDropTheOldestWhenOverMaxLengthWithDropHead() {
        MessageQueue q = queue(new QueueArguments(2, QueueArguments.NO_LIMIT, Overflow.DROP_HEAD, 0, null, null, QueueArguments.NO_LIMIT));
        for (String s : List.of("a", "b", "c")) {
            q.enqueue(new TestMessage(s, null));
        }
        loop.drain();
        loop.drain();
        assertThat(q.messageCount()).isEqualTo(2);
        Sink sink = new Sink();
        consumer(q, sink, false, 0).start();
        loop.drain();
        loop.drain();
        assertThat(sink.delivered).containsExactly("b", "c");
    }

    @Test
    void shouldRefuseWhenFullWithRejectPublish() {
        MessageQueue q = queue(new QueueArguments(1, QueueArguments.NO_LIMIT, Overflow.REJECT_PUBLISH, 0, null, null, QueueArguments.NO_LIMIT));
        assertThat(q.enqueue(new TestMessage("a", null))).isTrue();
        assertThat(q.enqueue(new TestMessage("b", null))).isFalse();
    }

    @Test
    void shouldPurgeAndCountEveryWaitingMessageWhenPurged() {
        MessageQueue q = queue(QueueArguments.NONE);
        List<TestMessage> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestMessage m = new TestMessage("m" + i, null);
            all.add(m);
            q.enqueue(m);
        }
        assertThat(q.purge().join()).isEqualTo(5);
        assertThat(q.messageCount()).isZero();
        assertThat(all).allSatisfy(m -> assertThat(m.refs.get()).isZero());
    }

    @Test
    void shouldCancelConsumersAndReleaseMessagesWhenDeleted() {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink sink = new Sink();
        consumer(q, sink, true, 0);
        TestMessage m = new TestMessage("x", null);
        q.enqueue(m);
        assertThat(q.delete("gone").join()).isEqualTo(1);
        assertThat(sink.cancelled).containsExactly(Reason.QUEUE_DELETED);
        assertThat(m.refs.get()).isZero();
        TestMessage late = new TestMessage("late", null);
        q.enqueue(late);
        loop.drain();
        assertThat(late.refs.get()).isZero();
    }

    @Test
    void shouldShareMessagesRoundRobinWhenConsumersCompete() {
        MessageQueue q = queue(QueueArguments.NONE);
        Sink a = new Sink();
        Sink b = new Sink();
        QueueConsumer ca = new QueueConsumer(q, a, 1, false, 0, false);
        QueueConsumer cb = new QueueConsumer(q, b, 2, false, 0, false);
        q.addConsumer(ca).join();
        q.addConsumer(cb).join();
        ca.start();
        cb.start();
        for (int i = 0; i < 4; i++) {
            q.enqueue(new TestMessage("m" + i, null));
        }
        loop.drain();
        loop.drain();
        assertThat(a.delivered).containsExactly("m0", "m2");
        assertThat(b.delivered).containsExactly("m1", "m3");
        assertThat(Map.of("a", a.delivered.size())).isNotEmpty();
    }
}
