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

    /** Acknowledgements are coalesced into ACKs with {@code multiple} by default. */
    public static final boolean DEFAULT_BATCH_ACKS = true;

    private static final SubscribeOptions DEFAULTS = new SubscribeOptions(DEFAULT_PREFETCH, false, false,
            DEFAULT_BATCH_ACKS);

    private final int prefetch;
    private final boolean manualAck;
    private final boolean exclusive;
    private final boolean batchAcks;

    private SubscribeOptions(int prefetch, boolean manualAck, boolean exclusive, boolean batchAcks) {
        this.prefetch = prefetch;
        this.manualAck = manualAck;
        this.exclusive = exclusive;
        this.batchAcks = batchAcks;
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
        return new SubscribeOptions(prefetch, manualAck, exclusive, batchAcks);
    }

    /** True: every delivery must be settled with ack/nack/reject; false (default): settled when sent. */
    public SubscribeOptions manualAck(boolean manualAck) {
        return new SubscribeOptions(prefetch, manualAck, exclusive, batchAcks);
    }

    /** True: be the queue's only consumer. */
    public SubscribeOptions exclusive(boolean exclusive) {
        return new SubscribeOptions(prefetch, manualAck, exclusive, batchAcks);
    }

    /**
     * With manual ack, whether {@link Delivery#ack()} calls that reach the network thread together may go out as
     * one ACK with {@code multiple} (PROTOCOL.md 4.30); default {@value #DEFAULT_BATCH_ACKS}. The client never
     * acknowledges more than the application did: an ACK with {@code multiple} is only sent for a tag below which
     * every delivery of the connection still outstanding has been acknowledged; the others go out exactly, and a
     * nack or reject sends what was collected before it, then itself. Acknowledgements are sent at the end of each
     * batch the network thread takes, so prefetch credit returns as promptly as without batching (a prefetch of 1
     * works). False: one ACK per acknowledged delivery.
     */
    public SubscribeOptions batchAcks(boolean batchAcks) {
        return new SubscribeOptions(prefetch, manualAck, exclusive, batchAcks);
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

    public boolean batchAcks() {
        return batchAcks;
    }

    @Override
    public String toString() {
        return "SubscribeOptions[prefetch=" + prefetch + ", manualAck=" + manualAck + ", exclusive=" + exclusive
                + ", batchAcks=" + batchAcks + "]";
    }
}
