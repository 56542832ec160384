package io.relais.client;

/**
 * What a publish does when the client cannot take more: the window of unconfirmed publishes is full, or
 * more bytes wait to be written to the socket than the configured bound (the broker, or the network, is
 * slower than the publisher). Immutable; thread-safe.
 */
public enum Backpressure {
    /** The calling thread waits for room, at most the request timeout (then the future fails). */
    BLOCK,
    /** The future fails at once; the caller decides whether to retry, drop or slow down. */
    FAIL
}
