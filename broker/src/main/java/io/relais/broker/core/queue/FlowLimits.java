package io.relais.broker.core.queue;

/**
 * The broker-wide defaults of queue flow control (configuration section {@code flow:}), which a
 * {@code block} queue's own arguments override. Immutable; thread-safe.
 *
 * @param highMessages ready messages at which a queue without {@code max-length} stops its publishers
 * @param memoryHighBytes ready payload bytes at which an in-memory queue without {@code max-length-bytes}
 *     stops its publishers
 * @param storedHighBytes the same for a queue that stores its messages on disk
 * @param maxDelayMillis how long the oldest ready message of a queue with consumers may wait before the
 *     queue stops its publishers; 0 turns that off
 */
public record FlowLimits(long highMessages, long memoryHighBytes, long storedHighBytes, long maxDelayMillis) {
    /** The defaults of the configuration reference. */
    public static final FlowLimits DEFAULTS = new FlowLimits(1_000_000, 64L << 20, 1L << 30, 20);

    public FlowLimits {
        if (highMessages < 1 || memoryHighBytes < 1 || storedHighBytes < 1 || maxDelayMillis < 0) {
            throw new IllegalArgumentException("flow limits must be positive (the delay 0 or more): " + highMessages
                    + ", " + memoryHighBytes + ", " + storedHighBytes + ", " + maxDelayMillis);
        }
    }
}
