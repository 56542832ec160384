package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * CLOSE_OK (both to peer): Acknowledges CLOSE; the sender of CLOSE then closes the socket.
 *
 * <p>Wire form: [type_id]. See PROTOCOL.md, section CLOSE_OK.
 * Immutable; thread-safe.
 *
 */
public record CloseOk() implements Frame {
    /** The only instance. */
    public static final CloseOk INSTANCE = new CloseOk();

    @Override
    public FrameType type() {
        return FrameType.CLOSE_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.CLOSE_OK, 0);
    }

    /** Decodes the fields after the type id. */
    public static CloseOk decode(FrameReader r) {
        r.skipRemaining();
        return INSTANCE;
    }
}
