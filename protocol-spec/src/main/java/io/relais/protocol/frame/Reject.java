package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * REJECT (client to server): Refuses one delivery: requeue it or drop (dead-letter) it.
 *
 * <p>Wire form: [type_id, delivery_tag, requeue]. See PROTOCOL.md, section REJECT.
 * Immutable; thread-safe.
 *
 * @param deliveryTag delivery tag
 * @param requeue true: back to the queue; false: dropped or dead-lettered
 */
public record Reject(long deliveryTag,
        boolean requeue) implements Frame {

    @Override
    public FrameType type() {
        return FrameType.REJECT;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.REJECT, 2);
        w.uint(deliveryTag);
        w.bool(requeue);
    }

    /** Decodes the fields after the type id. */
    public static Reject decode(FrameReader r) {
        long deliveryTag = r.readUInt("delivery_tag");
        boolean requeue = r.readBool("requeue");
        r.skipRemaining();
        return new Reject(deliveryTag, requeue);
    }
}
