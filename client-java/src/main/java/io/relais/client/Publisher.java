package io.relais.client;

/**
 * A publishing handle with confirms that allocates no future per message: {@link #publish(Message)} returns the
 * message's sequence number at once and the outcome goes to the {@link ConfirmListener} given to
 * {@link RelaisClient#publisher(ConfirmListener)}. Use it for high publish rates; for one message at a time
 * {@link RelaisClient#publishConfirmed(Message)} and its future are simpler.
 *
 * <p><b>Sequence numbers</b> belong to the publisher: 1 for its first publish, then increasing by one, for the
 * life of the client, whatever happens to its connection. They are not the {@code seq} of the protocol (which
 * restarts with every connection); the client maps one onto the other.
 *
 * <p><b>Flow control and reconnects</b> are those of {@code publishConfirmed}: the publish takes a place in the
 * client's window of {@link RelaisClient.Builder#maxUnconfirmed(int) maxUnconfirmed} unconfirmed publishes and
 * blocks its caller while the window is full (or fails, with {@link Backpressure#FAIL}); while the client is
 * reconnecting it is kept for the next connection as {@link RelaisClient.Builder#whileDisconnected} says; a publish
 * that was waiting for its confirm when the connection was lost is reported to {@link ConfirmListener#nacked}.
 *
 * <p>Thread-safe: any number of threads may publish through one publisher; numbers are handed out in the order
 * the messages go out on the connection. Several publishers of one client share its window and its connection.
 */
public interface Publisher {
    /**
     * Publishes with a confirm.
     *
     * @return the sequence number that the listener will report the outcome with
     * @throws RelaisException without a number taken, when the publish is refused at once: the client is closed
     *     (or disconnected, with {@link DisconnectedPublishes#FAIL}), the message is larger than the broker
     *     accepts, or there was no room in the window within the request timeout
     */
    long publish(Message message);
}
