package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * OK (server to client): Success answer to a request that has no specific answer frame.
 *
 * <p>Wire form: [type_id, request_id, count]. See PROTOCOL.md, section OK.
 * Immutable; thread-safe.
 *
 * @param requestId id of the request
 * @param count for QUEUE_DELETE and QUEUE_PURGE the number of messages removed, otherwise 0
 */
public record Ok(long requestId,
        long count) implements Answer {

    @Override
    public FrameType type() {
        return FrameType.OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.OK, 2);
        w.uint(requestId);
        w.uint(count);
    }

    /** Decodes the fields after the type id. */
    public static Ok decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        long count = r.readUInt("count");
        r.skipRemaining();
        return new Ok(requestId, count);
    }
}
