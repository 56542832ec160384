package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * VHOST_LIST (client to server): Asks for the list of virtual hosts.
 *
 * <p>Wire form: [type_id, request_id]. See PROTOCOL.md, section VHOST_LIST.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 */
public record VhostList(long requestId) implements Request {

    @Override
    public FrameType type() {
        return FrameType.VHOST_LIST;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.VHOST_LIST, 1);
        w.uint(requestId);
    }

    /** Decodes the fields after the type id. */
    public static VhostList decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        r.skipRemaining();
        return new VhostList(requestId);
    }
}
