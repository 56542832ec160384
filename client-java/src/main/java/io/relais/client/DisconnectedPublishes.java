package io.relais.client;

/**
 * What {@link RelaisClient#publish} and {@link RelaisClient#publishConfirmed} do while a reconnecting client
 * is between connections. Immutable; thread-safe.
 */
public enum DisconnectedPublishes {
    /**
     * Keep them, up to the configured number, and send them in order once reconnected; beyond that bound,
     * and if the client closes for good, their futures fail.
     */
    BUFFER,
    /** Fail their futures at once with a {@link RelaisException} saying the client is reconnecting. */
    FAIL
}
