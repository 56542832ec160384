package io.relais.broker.core.queue;

/**
 * Waits for a durable queue to store a message: the publisher's pending confirm.
 *
 * <p>Called on the queue's event loop, once per queue the message was offered to with this waiter;
 * implementations hand the outcome to their own thread.
 */
public interface StoreWaiter {
    /**
     * The queue stored the message ({@code ok}), or could not ({@code !ok}: the disk failed; the
     * message is not in the queue).
     */
    void stored(boolean ok);
}
