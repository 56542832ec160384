package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * ACK (client to server): Acknowledges a delivery: the message is done.
 *
 * <p>Wire form: [type_id, delivery_tag, multiple]. See PROTOCOL.md, section ACK.
 * Immutable; thread-safe.
 *
 * @param deliveryTag delivery tag
 * @param multiple also every outstanding delivery with a smaller tag
 */
public record Ack(long deliveryTag,
        boolean multiple) implements Frame {

    @Override
    public FrameType type() {
        return FrameType.ACK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.ACK, 2);
        w.uint(deliveryTag);
        w.bool(multiple);
    }

    /** Decodes the fields after the type id. */
    public static Ack decode(FrameReader r) {
        long deliveryTag = r.readUInt("delivery_tag");
        boolean multiple = r.readBool("multiple");
        r.skipRemaining();
        return new Ack(deliveryTag, multiple);
    }
}
