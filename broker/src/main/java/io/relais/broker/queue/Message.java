package io.relais.broker.queue;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.Properties;

/**
 * A published message as queues hold it: routing data, properties and a reference-counted payload.
 *
 * <p>One instance is shared by every in-memory queue the message was routed to; each queue holds one
 * reference to {@link #payload()}. A durable queue writes the message to its store and later reads
 * back its own instance, which carries its {@link #storeSeq()}. Immutable apart from that reference count; safe to read from
 * any thread.
 */
public final class Message {
    private final String exchange;
    private final String routingKey;
    private final Properties properties;
    private final boolean persistent;
    private final ByteBuf payload;
    private final long arrivalMillis;
    private final long storeSeq;

    public Message(String exchange, String routingKey, Properties properties, boolean persistent, ByteBuf payload,
                   long arrivalMillis) {
        this(exchange, routingKey, properties, persistent, payload, arrivalMillis, -1);
    }

    /** A message read back from a durable queue's store, where it has sequence number {@code storeSeq}. */
    public Message(String exchange, String routingKey, Properties properties, boolean persistent, ByteBuf payload,
                   long arrivalMillis, long storeSeq) {
        this.storeSeq = storeSeq;
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.properties = properties;
        this.persistent = persistent;
        this.payload = payload;
        this.arrivalMillis = arrivalMillis;
    }

    public String exchange() {
        return exchange;
    }

    public String routingKey() {
        return routingKey;
    }

    public Properties properties() {
        return properties;
    }

    public boolean persistent() {
        return persistent;
    }

    /** The body; shared, so read it with absolute indexes or through a duplicate. */
    public ByteBuf payload() {
        return payload;
    }

    /** Its sequence number in the store of the durable queue it was read from, or -1. */
    public long storeSeq() {
        return storeSeq;
    }

    /** Payload size in bytes. */
    public int size() {
        return payload.readableBytes();
    }

    /** When the broker received it, milliseconds since the epoch. */
    public long arrivalMillis() {
        return arrivalMillis;
    }

    /** True if the message's own expiration, or the queue's {@code ttlMillis} (if > 0), has passed. */
    public boolean expired(long nowMillis, long queueTtlMillis) {
        Long own = properties.expiration();
        long ttl = own == null ? queueTtlMillis : (queueTtlMillis > 0 ? Math.min(own, queueTtlMillis) : own);
        return (own != null || queueTtlMillis > 0) && nowMillis - arrivalMillis >= ttl;
    }

    /** Drops one queue's reference to the payload. */
    public void release() {
        payload.release();
    }
}
