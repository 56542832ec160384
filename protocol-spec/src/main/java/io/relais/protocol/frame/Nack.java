package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * NACK (client to server): Refuses deliveries: requeue them, or drop (dead-letter) them.
 *
 * <p>Wire form: [type_id, delivery_tag, multiple, requeue]. See PROTOCOL.md, section NACK.
 * Immutable; thread-safe.
 *
 * @param deliveryTag delivery tag
 * @param multiple also every outstanding delivery with a smaller tag
 * @param requeue true: back to the queue; false: dropped or dead-lettered
 */
public record Nack(long deliveryTag,
        boolean multiple,
        boolean requeue) implements Frame {

    @Override
    public FrameType type() {
        return FrameType.NACK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.NACK, 3);
        w.uint(deliveryTag);
        w.bool(multiple);
        w.bool(requeue);
    }

    /** Decodes the fields after the type id. */
    public static Nack decode(FrameReader r) {
        long deliveryTag = r.readUInt("delivery_tag");
        boolean multiple = r.readBool("multiple");
        boolean requeue = r.readBool("requeue");
        r.skipRemaining();
        return new Nack(deliveryTag, multiple, requeue);
    }
}
