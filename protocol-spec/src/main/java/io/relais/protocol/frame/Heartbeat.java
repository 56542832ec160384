package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * HEARTBEAT (both to peer): Keeps an idle connection alive.
 *
 * <p>Wire form: [type_id]. See PROTOCOL.md, section HEARTBEAT.
 * Immutable; thread-safe.
 *
 */
public record Heartbeat() implements Frame {
    /** The only instance. */
    public static final Heartbeat INSTANCE = new Heartbeat();

    @Override
    public FrameType type() {
        return FrameType.HEARTBEAT;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.HEARTBEAT, 0);
    }

    /** Decodes the fields after the type id. */
    public static Heartbeat decode(FrameReader r) {
        r.skipRemaining();
        return INSTANCE;
    }
}
