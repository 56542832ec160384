package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * QUEUE_DELETE (client to server): Deletes a queue with its messages and bindings; its consumers get CANCELLED.
 *
 * <p>Wire form: [type_id, request_id, name, if_unused, if_empty]. See PROTOCOL.md, section QUEUE_DELETE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name queue name
 * @param ifUnused fail if it has consumers
 * @param ifEmpty fail if it holds messages
 */
public record QueueDelete(long requestId,
        String name,
        boolean ifUnused,
        boolean ifEmpty) implements Request {

    public QueueDelete {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.QUEUE_DELETE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_DELETE, 4);
        w.uint(requestId);
        w.str(name);
        w.bool(ifUnused);
        w.bool(ifEmpty);
    }

    /** Decodes the fields after the type id. */
    public static QueueDelete decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        boolean ifUnused = r.readBool("if_unused");
        boolean ifEmpty = r.readBool("if_empty");
        r.skipRemaining();
        return new QueueDelete(requestId, name, ifUnused, ifEmpty);
    }
}
