package io.relais.client;

import io.relais.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;

/**
 * An active subscription, returned by the {@code subscribe} methods of {@link RelaisClient}.
 *
 * <p>Deliveries keep arriving until {@link #cancel()} completes. The broker may also end a subscription on
 * its own (CANCELLED): because its queue was deleted, or because a delivery was not acknowledged within the
 * broker's consumer timeout. The client then logs it, reports it to the {@link RelaisClient#onError error
 * listeners}, and completes {@link #cancelledByBroker()} with the reason; the subscription is not made again
 * after a reconnect. Thread-safe.
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

    /**
     * Completes when the broker ends this subscription on its own, with the reason as a {@link RelaisException}
     * whose {@link RelaisException#code() code} says why:
     *
     * <ul>
     *   <li>{@link ErrorCode#QUEUE_DELETED QUEUE_DELETED}: its queue was deleted. Unacknowledged
     *       deliveries can still be acknowledged.</li>
     *   <li>{@link ErrorCode#CONSUMER_TIMEOUT CONSUMER_TIMEOUT}: a delivery stayed unacknowledged
     *       for longer than the broker's consumer timeout ({@code subscriptions.consumer-timeout}, 30 minutes by
     *       default). The broker has put every unacknowledged delivery of the subscription back in its queue, to
     *       be delivered again, flagged redelivered; acknowledging one of them now does nothing.</li>
     * </ul>
     *
     * <p>Never completes while the subscription is active, nor when it ends because of {@link #cancel()} or the
     * client closing. Completes on the client's event loop: do not block in what it runs.
     */
    CompletableFuture<RelaisException> cancelledByBroker();
}
