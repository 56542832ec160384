package io.relais.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.FrameType;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * RETURN (server to client): Gives back a mandatory publish that could not be routed. Sent before its CONFIRM.
 *
 * <p>Wire form: [type_id, seq, code, reason, exchange, routing_key, properties, payload]. See PROTOCOL.md, section RETURN.
 * Holds a reference-counted payload: whoever holds this frame releases it once.
 *
 * @param seq the publish's sequence number (0 if it asked for no confirm)
 * @param code error code, NO_ROUTE
 * @param reason human-readable reason
 * @param exchange exchange it was published to
 * @param routingKey its routing key
 * @param properties its properties
 * @param payload its body
 */
public record Return(long seq,
        int code,
        String reason,
        String exchange,
        String routingKey,
        Properties properties,
        ByteBuf payload) implements PayloadFrame {

    public Return {
        reason = Objects.requireNonNull(reason, "reason");
        exchange = Objects.requireNonNull(exchange, "exchange");
        routingKey = Objects.requireNonNull(routingKey, "routingKey");
        properties = properties == null ? Properties.EMPTY : properties;
        payload = Objects.requireNonNull(payload, "payload");
    }

    @Override
    public FrameType type() {
        return FrameType.RETURN;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.RETURN, 7);
        w.uint(seq);
        w.uint(code);
        w.str(reason);
        w.str(exchange);
        w.str(routingKey);
        w.properties(properties);
        w.payloadHeader(payload.readableBytes());
    }

    /** Decodes the fields after the type id. */
    public static Return decode(FrameReader r) {
        long seq = r.readUInt("seq");
        int code = r.readUInt31("code");
        String reason = r.readStr("reason");
        String exchange = r.readStr("exchange");
        String routingKey = r.readStr("routing_key");
        Properties properties = r.readProperties("properties");
        ByteBuf payload = r.readPayload("payload");
        r.skipRemaining();
        return new Return(seq, code, reason, exchange, routingKey, properties, payload);
    }

    @Override
    public String toString() {
        return "Return[" + "seq=" + seq + ", " + "code=" + code + ", " + "reason=" + reason + ", " + "exchange=" + exchange + ", " + "routingKey=" + routingKey + ", " + "properties=" + properties + ", " + "payload=" + payload.readableBytes() + " bytes" + "]";
    }
}
