package io.relais.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.FrameType;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * PUBLISH (client to server): Publishes a message to an exchange.
 *
 * <p>Wire form: [type_id, seq, exchange, routing_key, flags, properties, payload]. See PROTOCOL.md, section PUBLISH.
 * Holds a reference-counted payload: whoever holds this frame releases it once.
 *
 * @param seq publish sequence number: 0 for no confirm, otherwise strictly greater than the previous non-zero one on this connection
 * @param exchange exchange name; empty for the default topic exchange
 * @param routingKey routing key, 0-255 bytes, words separated by '.'
 * @param flags bit 0 persistent, bit 1 mandatory; other bits must be 0
 * @param properties message properties
 * @param payload message body
 */
public record Publish(long seq,
        String exchange,
        String routingKey,
        int flags,
        Properties properties,
        ByteBuf payload) implements PayloadFrame {
    /** Flag bit: store the message on disk in durable queues. */
    public static final int PERSISTENT = 1;
    /** Flag bit: return the message with RETURN if no queue is bound for it. */
    public static final int MANDATORY = 2;
    /** Every flag bit version 1 defines. */
    public static final int KNOWN_FLAGS = PERSISTENT | MANDATORY;

    public Publish {
        exchange = Objects.requireNonNull(exchange, "exchange");
        routingKey = Objects.requireNonNull(routingKey, "routingKey");
        properties = properties == null ? Properties.EMPTY : properties;
        payload = Objects.requireNonNull(payload, "payload");
    }

    @Override
    public FrameType type() {
        return FrameType.PUBLISH;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.PUBLISH, 6);
        w.uint(seq);
        w.str(exchange);
        w.str(routingKey);
        w.uint(flags);
        w.properties(properties);
        w.payloadHeader(payload.readableBytes());
    }

    /** Decodes the fields after the type id. */
    public static Publish decode(FrameReader r) {
        long seq = r.readUInt("seq");
        String exchange = r.readStr("exchange");
        String routingKey = r.readStr("routing_key");
        int flags = r.readUInt31("flags");
        Properties properties = r.readProperties("properties");
        ByteBuf payload = r.readPayload("payload");
        r.skipRemaining();
        return new Publish(seq, exchange, routingKey, flags, properties, payload);
    }

    @Override
    public String toString() {
        return "Publish[" + "seq=" + seq + ", " + "exchange=" + exchange + ", " + "routingKey=" + routingKey + ", " + "flags=" + flags + ", " + "properties=" + properties + ", " + "payload=" + payload.readableBytes() + " bytes" + "]";
    }
}
