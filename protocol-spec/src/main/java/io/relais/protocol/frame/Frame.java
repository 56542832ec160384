package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameWriter;

/**
 * One protocol frame: a typed record that knows how to write its own fields.
 *
 * <p>Each frame type is one small record in this package; {@link FrameType} maps wire ids to them.
 * Frames without a payload are immutable and thread-safe.
 */
public interface Frame {
    /** The frame's type. */
    FrameType type();

    /**
     * Writes the frame body (array header, type id, fields) except payload bytes; a
     * {@link PayloadFrame} writes only its payload's binary header, and the encoder appends the bytes.
     */
    void encode(FrameWriter writer);
}
