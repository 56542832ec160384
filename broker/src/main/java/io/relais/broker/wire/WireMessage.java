package io.relais.broker.wire;

import io.netty.buffer.ByteBuf;
import io.relais.broker.core.queue.Message;
import io.relais.protocol.Properties;
import java.util.Map;

/**
 * The one kind of {@link Message} this broker makes: a Netty buffer for the body and the Relais
 * protocol's {@link Properties}, which every front end and the store use as the canonical form (a
 * front end for another protocol maps its properties onto them).
 *
 * <p>The payload is shared and reference counted: read it with absolute indexes or through a
 * duplicate. Immutable apart from that count; safe to read from any thread.
 */
public final class WireMessage extends Message {
    private final Properties properties;
    private final ByteBuf payload;

    /** A message received now or earlier; it takes over the caller's reference to {@code payload}. */
    public WireMessage(String exchange, String routingKey, Properties properties, boolean persistent,
                       ByteBuf payload, long arrivalMillis) {
        this(exchange, routingKey, properties, persistent, payload, arrivalMillis, -1);
    }

    /** A message read back from a durable queue's store, where it has sequence number {@code storeSeq}. */
    public WireMessage(String exchange, String routingKey, Properties properties, boolean persistent,
                       ByteBuf payload, long arrivalMillis, long storeSeq) {
        super(exchange, routingKey, persistent, arrivalMillis, storeSeq);
        this.properties = properties;
        this.payload = payload;
    }

    /** {@code message} as the wire form it is. */
    public static WireMessage of(Message message) {
        if (message instanceof WireMessage w) {
            return w;
        }
        throw new IllegalArgumentException("not a message of this broker: " + message.getClass().getName());
    }

    /** Its properties, as published. */
    public Properties properties() {
        return properties;
    }

    /** The body; shared, so read it with absolute indexes or through a duplicate. */
    public ByteBuf payload() {
        return payload;
    }

    @Override
    public int size() {
        return payload.readableBytes();
    }

    @Override
    public Long expiration() {
        return properties.expiration();
    }

    @Override
    public Map<String, Object> headers() {
        return properties.headers();
    }

    @Override
    public void retain(int n) {
        payload.retain(n);
    }

    @Override
    public void release() {
        payload.release();
    }

    @Override
    public Message deadLettered(String exchange, String routingKey, Map<String, Object> headers,
                                long arrivalMillis) {
        Properties dead = properties.toBuilder().headers(headers).expiration(null).build();
        return new WireMessage(exchange, routingKey, dead, persistent(), payload.retain(), arrivalMillis);
    }
}
