package io.relais.broker.core.queue;

/**
 * Waits for a durable queue to store a message: the publisher's pending confirm.
 *
 * <p>Called once per queue the message was offered to with this waiter, on that queue's store thread
 * or its loop (a message settled before it was written is answered there); implementations hand the
 * outcome to their own thread.
 */
public interface StoreWaiter {
    /**
     * The queue stored the message, or settled it (a consumer acknowledged it) before it had to
     * ({@code ok}), or could not store it ({@code !ok}: the disk failed; the message is not on disk).
     */
    void stored(boolean ok);
}
