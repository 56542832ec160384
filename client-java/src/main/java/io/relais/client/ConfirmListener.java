package io.relais.client;

/**
 * Learns the outcome of the publishes of one {@link Publisher}, by their sequence numbers: the
 * allocation-free alternative to the future that {@link RelaisClient#publishConfirmed(Message)} returns, in
 * the manner of RabbitMQ's {@code ConfirmListener} and the NATS clients' asynchronous publish.
 *
 * <p>Every publish that {@link Publisher#publish(Message)} accepted (returned a sequence number for) is
 * reported exactly once, by {@link #confirmed} or {@link #nacked}, either with its own number or by a later call
 * with {@code multiple} true. With {@code multiple} true a call settles every publish of the same publisher with a
 * number up to and including {@code seq} that has not been reported yet; the client only coalesces when the
 * broker did (CONFIRM with {@code multiple}, PROTOCOL.md 6.2) or when a lost connection fails every publish still
 * waiting. Calls for one publisher come in increasing order of {@code seq}.
 *
 * <p><b>Threads.</b> Called on the client's network thread, like the completions of the client's futures: it
 * must return quickly and must not block (publishing from it fails at once rather than waiting when the window
 * is full). Hand longer work to another thread. An exception thrown by it is logged and otherwise ignored.
 */
public interface ConfirmListener {
    /**
     * The broker accepted the publish {@code seq} (stored by every queue it was routed to, or routed nowhere and
     * not mandatory).
     *
     * @param multiple true: also every earlier publish of this publisher not reported yet
     */
    void confirmed(long seq, boolean multiple);

    /**
     * The publish {@code seq} failed. {@code cause} says why, as the future of
     * {@link RelaisClient#publishConfirmed(Message)} would have failed: a {@link RelaisException} with the broker's
     * {@link RelaisException#code() code} when the broker refused it (the message was not stored, except for
     * QUEUE_FULL, see PROTOCOL.md 6.2); a {@link NoRouteException} when it was mandatory and matched no queue; a
     * {@code RelaisException} without code when no confirm came within the request timeout or when the
     * connection was lost first (then the broker may or may not have stored it; it is not sent again).
     *
     * @param multiple true: also every earlier publish of this publisher not reported yet, for the same cause
     */
    void nacked(long seq, RelaisException cause, boolean multiple);
}
