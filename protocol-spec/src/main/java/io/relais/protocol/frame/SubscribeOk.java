package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * SUBSCRIBE_OK (server to client): Answer to SUBSCRIBE.
 *
 * <p>Wire form: [type_id, request_id, sid, queue]. See PROTOCOL.md, section SUBSCRIBE_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param sid subscription id
 * @param queue the queue consumed from (server-named for a pattern subscription)
 */
public record SubscribeOk(long requestId,
        long sid,
        String queue) implements Answer {

    public SubscribeOk {
        queue = Objects.requireNonNull(queue, "queue");
    }

    @Override
    public FrameType type() {
        return FrameType.SUBSCRIBE_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.SUBSCRIBE_OK, 3);
        w.uint(requestId);
        w.uint(sid);
        w.str(queue);
    }

    /** Decodes the fields after the type id. */
    public static SubscribeOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        long sid = r.readUInt("sid");
        String queue = r.readStr("queue");
        r.skipRemaining();
        return new SubscribeOk(requestId, sid, queue);
    }
}
