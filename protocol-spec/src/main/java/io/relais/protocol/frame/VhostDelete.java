package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * VHOST_DELETE (client to server): Deletes a virtual host with its exchanges, queues and messages, and closes its connections.
 *
 * <p>Wire form: [type_id, request_id, name]. See PROTOCOL.md, section VHOST_DELETE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name virtual host name
 */
public record VhostDelete(long requestId,
        String name) implements Request {

    public VhostDelete {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.VHOST_DELETE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.VHOST_DELETE, 2);
        w.uint(requestId);
        w.str(name);
    }

    /** Decodes the fields after the type id. */
    public static VhostDelete decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        r.skipRemaining();
        return new VhostDelete(requestId, name);
    }
}
