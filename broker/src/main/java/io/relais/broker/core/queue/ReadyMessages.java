package io.relais.broker.core.queue;

import java.util.ArrayDeque;

/**
 * The messages of one queue that wait for a consumer, in delivery order: first those given back
 * for redelivery (nacked, or left unacknowledged by a connection that closed), then the
 * {@link Backlog}'s. Keeps the queue's {@link QueueDepth} in step as messages come and go.
 *
 * <p>Owned by the queue's loop.
 */
final class ReadyMessages {
    private final ArrayDeque<Message> redeliveries = new ArrayDeque<>();
    private final Backlog backlog;
    private final QueueDepth depth;

    ReadyMessages(Backlog backlog, QueueDepth depth) {
        this.backlog = backlog;
        this.depth = depth;
    }

    /** The next message to deliver, or null if none can be delivered now. */
    Message peek() {
        Message m = redeliveries.peekFirst();
        return m != null ? m : backlog.peek();
    }

    /** True if the message {@link #peek()} returned may have reached a consumer before. */
    boolean headRedelivered() {
        return !redeliveries.isEmpty() || backlog.headRedelivered();
    }

    /**
     * Shows {@code visitor} the ready messages in delivery order (the redeliveries, flagged as possibly
     * delivered, then the backlog's) until it returns false; takes none.
     */
    void peekReady(Backlog.Visitor visitor) {
        for (Message m : redeliveries) {
            if (!visitor.visit(m, true)) {
                return;
            }
        }
        backlog.peekReady(visitor);
    }

    /** Removes and returns the message {@link #peek()} returned. */
    Message poll() {
        Message m = redeliveries.pollFirst();
        if (m != null) {
            depth.redeliveryHeld(-m.size());
        } else {
            m = backlog.poll();
        }
        depth.removed(1, m.size());
        return m;
    }

    /** A delivered message comes back, behind the others given back, ahead of the backlog. */
    void giveBack(Message m) {
        redeliveries.addLast(m);
        depth.redeliveryHeld(m.size());
        depth.added(m.size(), false);
    }

    /** Releases the messages given back (the queue is closing); the backlog releases its own. */
    void releaseRedeliveries() {
        Message m;
        while ((m = redeliveries.pollFirst()) != null) {
            depth.redeliveryHeld(-m.size());
            m.release();
        }
    }
}
