package io.relais.client;

import java.util.concurrent.CompletableFuture;

/**
 * An active subscription, returned by the {@code subscribe} methods of {@link RelaisClient}.
 *
 * <p>Deliveries keep arriving until {@link #cancel()} completes. The broker may also end a subscription on
 * its own (CANCELLED, for example because the queue was deleted); the client then logs it and reports it to
 * the {@link RelaisClient#onError error listeners}. Thread-safe.
 */
public interface Subscription {
    /** The subscription id, unique among this connection's subscriptions. */
    long sid();

    /** The queue consumed: the named queue, or the one the broker created for a pattern subscription. */
    String queue();

    /**
     * Ends the subscription. Unacknowledged deliveries of a manual-ack subscription stay outstanding: ack or
     * nack them, or they are requeued when the connection closes. Calling it again returns the same future.
     *
     * @return completes when the broker has confirmed the cancel
     */
    CompletableFuture<Void> cancel();
}
