package io.relais.broker.core.queue;

import java.util.Map;

/**
 * A published message as queues hold it: routing data and the few properties the core acts on,
 * over a reference-counted body whose form belongs to the front end that made it.
 *
 * <p>One instance is shared by every in-memory queue the message was routed to; each queue holds
 * one reference ({@link #retain}, {@link #release}). A durable queue writes the message to its
 * store and later reads back its own instance, which carries its {@link #storeSeq()}. The core
 * reads the expiration and headers (TTL, dead-lettering) and passes everything else through
 * unchanged. Immutable apart from the reference count; safe to read from any thread.
 */
public abstract class Message {
    private final String exchange;
    private final String routingKey;
    private final boolean persistent;
    private final long arrivalMillis;
    private final long storeSeq;

    /**
     * @param storeSeq its sequence number in the store of the durable queue it was read from, or -1
     */
    protected Message(String exchange, String routingKey, boolean persistent, long arrivalMillis, long storeSeq) {
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.persistent = persistent;
        this.arrivalMillis = arrivalMillis;
        this.storeSeq = storeSeq;
    }

    /** The exchange it was published to. */
    public final String exchange() {
        return exchange;
    }

    /** The routing key it was published with. */
    public final String routingKey() {
        return routingKey;
    }

    /** True if the publisher asked for it to survive a restart (in a durable queue). */
    public final boolean persistent() {
        return persistent;
    }

    /** When the broker received it, milliseconds since the epoch. */
    public final long arrivalMillis() {
        return arrivalMillis;
    }

    /** Its sequence number in the store of the durable queue it was read from, or -1. */
    public final long storeSeq() {
        return storeSeq;
    }

    /** Payload size in bytes. */
    public abstract int size();

    /** Its own time to live in milliseconds, or null. */
    public abstract Long expiration();

    /** Its application headers, or null; never modified. */
    public abstract Map<String, Object> headers();

    /** Adds {@code n} references to the payload, one for each further queue that will hold it. */
    public abstract void retain(int n);

    /** Drops one queue's reference to the payload. */
    public abstract void release();

    /**
     * A copy for dead-lettering: routed to {@code exchange} with {@code routingKey}, {@code headers}
     * instead of its own, no expiration, arriving now; it holds a new reference to the same payload.
     */
    public abstract Message deadLettered(String exchange, String routingKey, Map<String, Object> headers,
                                         long arrivalMillis);

    /** The time to live that applies in a queue whose own TTL is {@code queueTtlMillis} (0: none), or -1. */
    public final long ttlMillis(long queueTtlMillis) {
        Long own = expiration();
        if (own == null) {
            return queueTtlMillis > 0 ? queueTtlMillis : -1;
        }
        return queueTtlMillis > 0 ? Math.min(own, queueTtlMillis) : own;
    }

    /**
     * True if its time to live has passed at {@code nowMillis}. A time to live of 0 never passes by
     * the clock: such a message is delivered if a consumer can take it when it reaches the head of
     * its queue, and dropped there otherwise (see {@link MessageQueue}).
     */
    public final boolean expired(long nowMillis, long queueTtlMillis) {
        long ttl = ttlMillis(queueTtlMillis);
        return ttl > 0 && nowMillis - arrivalMillis >= ttl;
    }
}
