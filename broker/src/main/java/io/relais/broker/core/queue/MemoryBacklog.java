package io.relais.broker.core.queue;

import io.relais.broker.core.OwnerLoop;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backlog on the heap: a lock-free inbox that publishers on any thread add to, and the ready list
 * that the owner loop moves the inbox into and dispatches from. Messages do not survive a restart.
 *
 * <p>Threading as {@link Backlog} says: {@link #offer} and {@link #memoryBytes} on any thread,
 * the rest on the owner loop.
 */
public final class MemoryBacklog implements Backlog {
    private final Queue<Message> inbox = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Message> ready = new ArrayDeque<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;
    private BacklogListener listener;

    @Override
    public boolean storesMessages() {
        return false;
    }

    @Override
    public long recoveredCount() {
        return 0;
    }

    @Override
    public long recoveredBytes() {
        return 0;
    }

    @Override
    public void start(BacklogListener backlogListener, OwnerLoop owner) {
        this.listener = backlogListener;
    }

    @Override
    public void offer(Message message, StoreWaiter waiter) {
        bytes.addAndGet(message.size());
        inbox.offer(message);
        if (closed) {
            // Raced with close: whatever is left in the inbox now will never be read.
            discardInbox();
        } else {
            listener.readable();
        }
    }

    @Override
    public Message peek() {
        if (ready.isEmpty()) {
            Message m;
            while ((m = inbox.poll()) != null) {
                ready.addLast(m);
            }
        }
        return ready.peekFirst();
    }

    @Override
    public void peekReady(Visitor visitor) {
        for (Message r : ready) {
            if (!visitor.visit(r, false)) {
                return;
            }
        }
        // The inbox is moved over only as far as the visitor looks.
        Message m;
        while ((m = inbox.poll()) != null) {
            ready.addLast(m);
            if (!visitor.visit(m, false)) {
                return;
            }
        }
    }

    @Override
    public boolean headRedelivered() {
        return false;
    }

    @Override
    public Message poll() {
        Message m = ready.pollFirst();
        bytes.addAndGet(-m.size());
        return m;
    }

    @Override
    public void delivering(Message message) {
        // Nothing survives a restart, so nothing to note.
    }

    @Override
    public void settle(Message message) {
        // Nothing on disk to settle.
    }

    @Override
    public void endOfBatch() {
        // No batched work.
    }

    @Override
    public long memoryBytes() {
        return bytes.get();
    }

    @Override
    public CompletableFuture<Purged> purgeUnread() {
        return CompletableFuture.completedFuture(Purged.NONE);
    }

    @Override
    public CompletableFuture<Void> close() {
        closed = true;
        Message m;
        while ((m = ready.pollFirst()) != null) {
            bytes.addAndGet(-m.size());
            m.release();
        }
        discardInbox();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> delete() {
        return close();
    }

    private void discardInbox() {
        Message m;
        while ((m = inbox.poll()) != null) {
            bytes.addAndGet(-m.size());
            listener.lost(1, m.size());
            m.release();
        }
    }
}
