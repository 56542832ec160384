package io.relais.broker.core.queue;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Flow control of one {@code block} queue (PROTOCOL.md 7.8, point 3): whether the connections that
 * publish into it must stop, and which of them wait for it to drain.
 *
 * <p>The queue is <em>congested</em> from the moment its ready messages reach the high watermark (in
 * messages or in bytes), or, while it has consumers, its oldest ready message has waited longer than
 * the maximum delay (the queue passes the wait it judges by: see {@code MessageQueue.updateFlow}); it is clear again once it is at or below the low watermark (half the high one)
 * in both and, if it has consumers, its oldest ready message has waited at most half the maximum
 * delay. Publishers read {@link #congested()} after each publish and {@linkplain #park park} when it
 * is true; when the queue clears, every parked waiter is told once and forgotten.
 *
 * <p>{@link #update} and {@link #releaseAll} run on the queue's loop only; {@link #congested},
 * {@link #park} and {@link #unpark} on any thread. A waiter that parks just as the queue clears is
 * either told or sees the queue clear when it parks: {@code park} registers before it checks.
 */
public final class QueueFlow {
    /** A connection stopped by one or more queues. */
    public interface Waiter {
        /**
         * {@code queue} is no longer congested, or is gone; any thread, at most once per park. Can also come
         * for a {@link #park} that returned false (the queue cleared while it registered): ignore it then.
         */
        void released(MessageQueue queue);
    }

    private final MessageQueue queue;
    private final long highMessages;
    private final long lowMessages;
    private final long highBytes;
    private final long lowBytes;
    private final long maxDelayMillis;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private volatile boolean congested;
    private volatile String reason = "";

    QueueFlow(MessageQueue queue, QueueArguments arguments, FlowLimits limits, boolean stored) {
        this.queue = queue;
        long messages = arguments.maxLength() != QueueArguments.NO_LIMIT ? arguments.maxLength() : limits.highMessages();
        long bytes = arguments.maxLengthBytes() != QueueArguments.NO_LIMIT ? arguments.maxLengthBytes()
                : stored ? limits.storedHighBytes() : limits.memoryHighBytes();
        this.highMessages = Math.max(1, messages);
        this.lowMessages = highMessages / 2;
        this.highBytes = Math.max(1, bytes);
        this.lowBytes = highBytes / 2;
        this.maxDelayMillis = arguments.flowMaxDelayMillis() != QueueArguments.NO_LIMIT
                ? arguments.flowMaxDelayMillis() : limits.maxDelayMillis();
    }

    /** True while publishers into the queue must stop; any thread. */
    public boolean congested() {
        return congested;
    }

    /**
     * Registers {@code waiter} to be told when the queue clears; any thread.
     *
     * @return false if the queue is already clear (then nothing is registered and nothing will be told)
     */
    public boolean park(Waiter waiter) {
        waiters.add(waiter);
        if (!congested) {
            waiters.remove(waiter);
            return false;
        }
        return true;
    }

    /** Forgets {@code waiter} (its connection closed); any thread. */
    public void unpark(Waiter waiter) {
        waiters.remove(waiter);
    }

    /** The ready count at which publishers stop. */
    public long highMessages() {
        return highMessages;
    }

    /** The ready payload bytes at which publishers stop. */
    public long highBytes() {
        return highBytes;
    }

    /** How long the oldest ready message may wait while the queue has consumers; 0 for no limit. */
    public long maxDelayMillis() {
        return maxDelayMillis;
    }

    /**
     * Re-evaluates from the queue's state; on the queue's loop.
     *
     * @param headWaitMillis how long the oldest ready message has waited, or -1 if none is ready
     */
    void update(long messages, long bytes, int consumers, long headWaitMillis) {
        boolean timed = consumers > 0 && maxDelayMillis > 0 && headWaitMillis >= 0;
        if (!congested) {
            if (messages >= highMessages) {
                congest(messages + " ready messages, high watermark " + highMessages);
            } else if (bytes >= highBytes) {
                congest(bytes + " ready payload bytes, high watermark " + highBytes);
            } else if (timed && headWaitMillis > maxDelayMillis) {
                congest("its oldest ready message waited " + headWaitMillis + " ms, longer than "
                        + maxDelayMillis + " ms (its consumers do not keep up)");
            }
        } else if (messages <= lowMessages && bytes <= lowBytes && (!timed || headWaitMillis <= maxDelayMillis / 2)) {
            releaseAll();
        }
    }

    private void congest(String why) {
        reason = why;
        congested = true;
    }

    /** Why the queue is congested, for the publishers it stops (valid while {@link #congested()}). */
    public String reason() {
        return reason;
    }

    /** Clears the queue and tells every waiter (also when the queue is deleted); on the queue's loop. */
    void releaseAll() {
        congested = false;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            it.remove();
            w.released(queue);
        }
    }
}
