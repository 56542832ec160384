package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * CANCELLED (server to client): The server ended a subscription (its queue was deleted).
 *
 * <p>Wire form: [type_id, sid, code, reason]. See PROTOCOL.md, section CANCELLED.
 * Immutable; thread-safe.
 *
 * @param sid subscription id
 * @param code error code
 * @param reason human-readable reason
 */
public record Cancelled(long sid,
        int code,
        String reason) implements Frame {

    public Cancelled {
        reason = Objects.requireNonNull(reason, "reason");
    }

    @Override
    public FrameType type() {
        return FrameType.CANCELLED;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.CANCELLED, 3);
        w.uint(sid);
        w.uint(code);
        w.str(reason);
    }

    /** Decodes the fields after the type id. */
    public static Cancelled decode(FrameReader r) {
        long sid = r.readUInt("sid");
        int code = r.readUInt31("code");
        String reason = r.readStr("reason");
        r.skipRemaining();
        return new Cancelled(sid, code, reason);
    }
}
