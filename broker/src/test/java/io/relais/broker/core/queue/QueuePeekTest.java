package io.relais.broker.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MessageQueue.peek: the first ready messages, in delivery order, none taken, none marked delivered. */
class QueuePeekTest {
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
    private final MessageQueue q = new MessageQueue("/", "q", false, false, false, QueueArguments.NONE, null, loop,
            listener, new MemoryBacklog(), FlowLimits.DEFAULTS);

    @AfterEach
    void stop() {
        q.delete("test over").join();
        loop.close();
    }

    private List<String> peek(int n) {
        return q.peek(n, (m, redelivered) -> ((TestMessage) m).body + (redelivered ? "*" : "")).join();
    }

    @Test
    void shouldShowTheFirstMessagesInOrderWithoutTakingThem() {
        for (int i = 1; i <= 5; i++) {
            q.enqueue(new TestMessage(String.valueOf(i), null));
        }
        assertThat(peek(3)).containsExactly("1", "2", "3");
        assertThat(peek(10)).containsExactly("1", "2", "3", "4", "5");
        assertThat(q.messageCount()).isEqualTo(5);
        assertThat(q.deliveredTotal()).isZero();
    }

    @Test
    void shouldShowRedeliveriesFirstAndFlagged() {
        q.enqueue(new TestMessage("2", null));
        List<Message> back = new ArrayList<>();
        back.add(new TestMessage("1", null));
        q.requeue(back, () -> { });
        assertThat(peek(5)).containsExactly("1*", "2");
    }

    @Test
    void shouldLeaveOutExpiredMessages() {
        q.enqueue(new TestMessage("", "k", "old", 10L, null, System.currentTimeMillis() - 1000));
        q.enqueue(new TestMessage("fresh", 60_000L));
        assertThat(peek(5)).containsExactly("fresh");
    }

    @Test
    void shouldShowNothingWhenEmptyOrAskedForNone() {
        assertThat(peek(5)).isEmpty();
        q.enqueue(new TestMessage("1", null));
        assertThat(peek(0)).isEmpty();
    }
}
