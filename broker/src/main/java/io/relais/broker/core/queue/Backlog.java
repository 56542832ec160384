package io.relais.broker.core.queue;

import io.relais.broker.core.OwnerLoop;
import java.util.concurrent.CompletableFuture;

/**
 * Where a queue keeps the messages that wait for a consumer, in order: one kind per storage, behind
 * one small interface, so that a new kind (a stream read by offset, a delayed backlog, a replicated
 * store) is a new class and not a branch in {@link MessageQueue}.
 *
 * <p>Today's kinds: {@link MemoryBacklog} (the heap) and the store's Chronicle-backed backlog
 * (appends, syncs and reads on a store thread, never on the queue's loop).
 *
 * <p>Threading: {@link #offer} and {@link #memoryBytes} are called on any thread; every other
 * method on the owning queue's loop, after {@link #start}. A backlog calls its
 * {@link BacklogListener} from any thread.
 */
public interface Backlog {
    /**
     * True if offered messages are written to disk and survive a restart; their publishers'
     * confirms wait for the {@link StoreWaiter} then.
     */
    boolean storesMessages();

    /** Messages it held when opened (recovered from disk), before any offer. */
    long recoveredCount();

    /** Payload bytes of {@link #recoveredCount()} messages. */
    long recoveredBytes();

    /**
     * Connects the backlog to its queue and the queue's owner loop; called once, by the queue's
     * constructor, before the queue is shared with other threads.
     */
    void start(BacklogListener listener, OwnerLoop owner);

    /**
     * Adds a message at the tail; any thread. The backlog takes over one reference to it. A
     * backlog that stores messages tells {@code waiter} (if not null) once the message is stored,
     * or settled before it was stored (a write-behind backlog), or that it could not be; others never
     * call it.
     */
    void offer(Message message, StoreWaiter waiter);

    /**
     * The oldest message that can be delivered now, or null: none, or (for a stored backlog) the
     * next ones are still being read from disk, and the listener hears when they are readable.
     */
    Message peek();

    /** True if the message {@link #peek()} returned may have reached a consumer before a restart. */
    boolean headRedelivered();

    /** Sees the messages that can be delivered now, one at a time, without taking them. */
    @FunctionalInterface
    interface Visitor {
        /**
         * One ready message, oldest first; the visitor copies what it needs (it holds no reference after it
         * returns).
         *
         * @param possiblyDelivered true if it may have reached a consumer before a restart
         * @return true to see the next one
         */
        boolean visit(Message message, boolean possiblyDelivered);
    }

    /**
     * Shows {@code visitor} the messages that can be delivered now, oldest first, until it returns false,
     * without removing them or marking them delivered. A stored backlog shows what it holds in memory (its
     * read-ahead, which its store thread fills from disk whether or not a consumer is attached), not what is
     * still being read. This default shows the head only.
     */
    default void peekReady(Visitor visitor) {
        Message head = peek();
        if (head != null) {
            visitor.visit(head, headRedelivered());
        }
    }

    /** Removes and returns the message {@link #peek()} returned. */
    Message poll();

    /** A message this backlog gave out is being handed to a consumer. */
    void delivering(Message message);

    /**
     * A message this backlog gave out was acknowledged, dropped, expired or dead-lettered: it is
     * never given out again, not even after a restart. Does not release it.
     */
    void settle(Message message);

    /** The end of a dispatch or acknowledgement batch: hands batched work on (one hand-off a batch). */
    void endOfBatch();

    /** Payload bytes held in memory, for the memory alarm; any thread. */
    long memoryBytes();

    /**
     * Settles every message not yet readable through {@link #peek()} (those still on disk, and
     * those being read); the caller has drained the readable ones. Completes on the owner loop with
     * how many messages and bytes went.
     */
    CompletableFuture<Purged> purgeUnread();

    /**
     * Releases what is in memory; a stored backlog writes what was offered, then closes its files,
     * keeping its messages for the next start. Completes once done.
     */
    CompletableFuture<Void> close();

    /** Releases everything and deletes what is on disk: the queue was deleted. Completes once done. */
    CompletableFuture<Void> delete();

    /**
     * Messages and payload bytes removed at once.
     *
     * @param count messages
     * @param bytes their payload bytes
     */
    record Purged(long count, long bytes) {
        /** Nothing removed. */
        public static final Purged NONE = new Purged(0, 0);

        /** This and {@code other} added up. */
        public Purged plus(Purged other) {
            return new Purged(count + other.count, bytes + other.bytes);
        }
    }
}
