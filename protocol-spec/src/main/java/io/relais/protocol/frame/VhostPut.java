package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * VHOST_PUT (client to server): Creates a virtual host; creating one that exists is a no-op.
 *
 * <p>Wire form: [type_id, request_id, name]. See PROTOCOL.md, section VHOST_PUT.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name virtual host name
 */
public record VhostPut(long requestId,
        String name) implements Request {

    public VhostPut {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.VHOST_PUT;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.VHOST_PUT, 2);
        w.uint(requestId);
        w.str(name);
    }

    /** Decodes the fields after the type id. */
    public static VhostPut decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        r.skipRemaining();
        return new VhostPut(requestId, name);
    }
}
