package io.relais.client;

/**
 * How a subscription consumes: prefetch window, acknowledgement mode, exclusivity.
 *
 * <p>Immutable: every setter-style method returns a new instance, so an instance can be shared between
 * threads and reused. Start from {@link #defaults()}.
 */
public final class SubscribeOptions {
    /** Prefetch 0: the broker's default window ({@code subscriptions.default-prefetch}, 1000). */
    public static final int DEFAULT_PREFETCH = 0;

    private static final SubscribeOptions DEFAULTS = new SubscribeOptions(DEFAULT_PREFETCH, false, false);

    private final int prefetch;
    private final boolean manualAck;
    private final boolean exclusive;

    private SubscribeOptions(int prefetch, boolean manualAck, boolean exclusive) {
        this.prefetch = prefetch;
        this.manualAck = manualAck;
        this.exclusive = exclusive;
    }

    /** Server-default prefetch, automatic ack, not exclusive. */
    public static SubscribeOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Most unacknowledged deliveries at a time for a manual-ack subscription; 0 for the broker's default.
     * Ignored with automatic ack.
     */
    public SubscribeOptions prefetch(int prefetch) {
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be >= 0: " + prefetch);
        }
        return new SubscribeOptions(prefetch, manualAck, exclusive);
    }

    /** True: every delivery must be settled with ack/nack/reject; false (default): settled when sent. */
    public SubscribeOptions manualAck(boolean manualAck) {
        return new SubscribeOptions(prefetch, manualAck, exclusive);
    }

    /** True: be the queue's only consumer. */
    public SubscribeOptions exclusive(boolean exclusive) {
        return new SubscribeOptions(prefetch, manualAck, exclusive);
    }

    public int prefetch() {
        return prefetch;
    }

    public boolean manualAck() {
        return manualAck;
    }

    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public String toString() {
        return "SubscribeOptions[prefetch=" + prefetch + ", manualAck=" + manualAck + ", exclusive=" + exclusive + "]";
    }
}
