package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * QUEUE_PURGE (client to server): Removes every ready message from a queue (unacknowledged ones stay).
 *
 * <p>Wire form: [type_id, request_id, name]. See PROTOCOL.md, section QUEUE_PURGE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name queue name
 */
public record QueuePurge(long requestId,
        String name) implements Request {

    public QueuePurge {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.QUEUE_PURGE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_PURGE, 2);
        w.uint(requestId);
        w.str(name);
    }

    /** Decodes the fields after the type id. */
    public static QueuePurge decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        r.skipRemaining();
        return new QueuePurge(requestId, name);
    }
}
