package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * CLOSE (both to peer): Starts a graceful close; the peer answers CLOSE_OK and both close the socket.
 *
 * <p>Wire form: [type_id, code, reason]. See PROTOCOL.md, section CLOSE.
 * Immutable; thread-safe.
 *
 * @param code 0 for a normal close, otherwise an error code
 * @param reason human-readable reason
 */
public record Close(int code,
        String reason) implements Frame {

    public Close {
        reason = Objects.requireNonNull(reason, "reason");
    }

    @Override
    public FrameType type() {
        return FrameType.CLOSE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.CLOSE, 2);
        w.uint(code);
        w.str(reason);
    }

    /** Decodes the fields after the type id. */
    public static Close decode(FrameReader r) {
        int code = r.readUInt31("code");
        String reason = r.readStr("reason");
        r.skipRemaining();
        return new Close(code, reason);
    }
}
