package io.relais.client;

/**
 * A change in a client's connection, reported to {@link RelaisClient#onConnectionEvent listeners} on the
 * client's handler executor, in the order they happen. Immutable; thread-safe.
 *
 * @param type what happened
 * @param connectionId the broker's id of the connection concerned (the new one for {@code RECONNECTED} and
 *     {@code RESUBSCRIBED}; the lost one for {@code DISCONNECTED}), or {@code null} if there is none
 * @param cause why the connection was lost or the client closed, or {@code null}
 * @param attempt for {@code RECONNECTED}, the attempt that succeeded (1 = the first); 0 otherwise
 * @param reason for {@code BLOCKED} and {@code UNBLOCKED}, the broker's reason (for example the congested
 *     queue); {@code null} otherwise
 */
public record ConnectionEvent(Type type, String connectionId, RelaisException cause, int attempt, String reason) {
    /** An event without a broker's reason. */
    public ConnectionEvent(Type type, String connectionId, RelaisException cause, int attempt) {
        this(type, connectionId, cause, attempt, null);
    }

    /** The kinds of event. */
    public enum Type {
        /** The first connection is open. */
        CONNECTED,
        /** The connection was lost; the client will try to reconnect unless its policy says otherwise. */
        DISCONNECTED,
        /** A new connection is open and what the client declared has been declared again. */
        RECONNECTED,
        /** Every subscription has been made again on the new connection. */
        RESUBSCRIBED,
        /** The client is closed for good: by the application, or because the reconnect policy gave up. */
        CLOSED,
        /**
         * The broker stopped reading from the connection (flow control, PROTOCOL.md 7.8): a queue the client
         * publishes into is congested, or the broker's memory alarm is raised. Publishes wait (and their
         * confirm and request timeouts stand still) until {@code UNBLOCKED}; deliveries still arrive.
         */
        BLOCKED,
        /** The broker reads from the connection again after {@code BLOCKED}. */
        UNBLOCKED
    }
}
