package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * CANCEL (client to server): Ends a subscription. Unacknowledged deliveries stay outstanding until acked, nacked, or the connection closes.
 *
 * <p>Wire form: [type_id, request_id, sid]. See PROTOCOL.md, section CANCEL.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param sid subscription id
 */
public record Cancel(long requestId,
        long sid) implements Request {

    @Override
    public FrameType type() {
        return FrameType.CANCEL;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.CANCEL, 2);
        w.uint(requestId);
        w.uint(sid);
    }

    /** Decodes the fields after the type id. */
    public static Cancel decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        long sid = r.readUInt("sid");
        r.skipRemaining();
        return new Cancel(requestId, sid);
    }
}
