package io.relais.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.FrameType;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * DELIVER (server to client): Delivers a message to a subscription.
 *
 * <p>Wire form: [type_id, sid, delivery_tag, flags, exchange, routing_key, properties, payload]. See PROTOCOL.md, section DELIVER.
 * Holds a reference-counted payload: whoever holds this frame releases it once.
 *
 * @param sid subscription id
 * @param deliveryTag connection-wide delivery number, starting at 1, increasing by 1
 * @param flags bit 0 redelivered; bit 1 persistent
 * @param exchange exchange the message was published to
 * @param routingKey its routing key
 * @param properties its properties
 * @param payload its body
 */
public record Deliver(long sid,
        long deliveryTag,
        int flags,
        String exchange,
        String routingKey,
        Properties properties,
        ByteBuf payload) implements PayloadFrame {
    /** Flag bit: this message was delivered before and not acknowledged. */
    public static final int REDELIVERED = 1;
    /** Flag bit: the message was published as persistent. */
    public static final int PERSISTENT = 2;

    public Deliver {
        exchange = Objects.requireNonNull(exchange, "exchange");
        routingKey = Objects.requireNonNull(routingKey, "routingKey");
        properties = properties == null ? Properties.EMPTY : properties;
        payload = Objects.requireNonNull(payload, "payload");
    }

    @Override
    public FrameType type() {
        return FrameType.DELIVER;
    }

    @Override
    public void encode(FrameWriter w) {
        encodeHead(w, sid, deliveryTag, flags);
        encodeTail(w, exchange, routingKey, properties, payload.readableBytes());
    }

    /**
     * Writes the part of a DELIVER body that differs per delivery: array header, type id, sid, tag
     * and flags. Followed by {@link #encodeTail} it is exactly {@link #encode}; {@link SharedDeliver}
     * writes the two apart so that the tail is encoded once for every subscriber of a message.
     */
    public static void encodeHead(FrameWriter w, long sid, long deliveryTag, int flags) {
        w.begin(FrameType.DELIVER, 7);
        w.uint(sid);
        w.uint(deliveryTag);
        w.uint(flags);
    }

    /**
     * Writes the part of a DELIVER body that is the same for every delivery of one message: exchange,
     * routing key, properties and the payload's binary header (not its bytes).
     */
    public static void encodeTail(FrameWriter w, String exchange, String routingKey, Properties properties,
                                  int payloadBytes) {
        w.str(exchange);
        w.str(routingKey);
        w.properties(properties == null ? Properties.EMPTY : properties);
        w.payloadHeader(payloadBytes);
    }

    /** Decodes the fields after the type id. */
    public static Deliver decode(FrameReader r) {
        long sid = r.readUInt("sid");
        long deliveryTag = r.readUInt("delivery_tag");
        int flags = r.readUInt31("flags");
        String exchange = r.readStr("exchange");
        String routingKey = r.readStr("routing_key");
        Properties properties = r.readProperties("properties");
        ByteBuf payload = r.readPayload("payload");
        r.skipRemaining();
        return new Deliver(sid, deliveryTag, flags, exchange, routingKey, properties, payload);
    }

    @Override
    public String toString() {
        return "Deliver[" + "sid=" + sid + ", " + "deliveryTag=" + deliveryTag + ", " + "flags=" + flags + ", " + "exchange=" + exchange + ", " + "routingKey=" + routingKey + ", " + "properties=" + properties + ", " + "payload=" + payload.readableBytes() + " bytes" + "]";
    }
}
