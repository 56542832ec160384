package io.relais.broker.core.queue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How much one queue holds and has moved: ready messages and their payload bytes, unacknowledged
 * deliveries, redeliveries held in memory, and running totals for rates; and the queue's length
 * limits checked against them.
 *
 * <p>Thread-safe: counters are atomic, since publishers on any thread add and the queue's loop
 * takes away; {@link #delivered} is written by the queue's loop only.
 */
final class QueueDepth {
    private final QueueArguments limits;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong unacked = new AtomicLong();
    private final AtomicLong redeliveryBytes = new AtomicLong();
    private final LongAdder enqueuedTotal = new LongAdder();
    private volatile long deliveredTotal;

    QueueDepth(QueueArguments limits, long recoveredMessages, long recoveredBytes) {
        this.limits = limits;
        messages.set(recoveredMessages);
        bytes.set(recoveredBytes);
    }

    /** A message of {@code size} bytes joined the ready ones; {@code published} if new, not redelivered. */
    void added(int size, boolean published) {
        messages.incrementAndGet();
        bytes.addAndGet(size);
        if (published) {
            enqueuedTotal.increment();
        }
    }

    /** Ready messages left (delivered, dropped, lost, purged). */
    void removed(long n, long size) {
        messages.addAndGet(-n);
        bytes.addAndGet(-size);
    }

    void redeliveryHeld(long size) {
        redeliveryBytes.addAndGet(size);
    }

    void unackedChanged(long delta) {
        unacked.addAndGet(delta);
    }

    /** {@code n} more messages went to consumers; on the queue's loop only. */
    void delivered(int n) {
        deliveredTotal = deliveredTotal + n;
    }

    /**
     * A message went straight to a consumer without waiting (the fan-out fast path): counted as
     * enqueued and delivered, never as ready. On the queue's loop only.
     */
    void deliveredDirectly() {
        enqueuedTotal.increment();
        deliveredTotal = deliveredTotal + 1;
    }

    /** True if a message of {@code size} bytes would not fit ({@code reject-publish} refuses it then). */
    boolean full(int size) {
        return (limits.maxLength() != QueueArguments.NO_LIMIT && messages.get() >= limits.maxLength())
                || (limits.maxLengthBytes() != QueueArguments.NO_LIMIT
                        && bytes.get() + size > limits.maxLengthBytes());
    }

    /** True while the queue holds more than its limits ({@code drop-head} drops the oldest then). */
    boolean overLimit() {
        return (limits.maxLength() != QueueArguments.NO_LIMIT && messages.get() > limits.maxLength())
                || (limits.maxLengthBytes() != QueueArguments.NO_LIMIT && bytes.get() > limits.maxLengthBytes());
    }

    long messages() {
        return messages.get();
    }

    long bytes() {
        return bytes.get();
    }

    long unacked() {
        return unacked.get();
    }

    long redeliveryBytes() {
        return redeliveryBytes.get();
    }

    long enqueuedTotal() {
        return enqueuedTotal.sum();
    }

    long deliveredTotal() {
        return deliveredTotal;
    }
}
