package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * PERMISSIONS_LIST (client to server): Asks for the permissions of one virtual host, or of all.
 *
 * <p>Wire form: [type_id, request_id, vhost]. See PROTOCOL.md, section PERMISSIONS_LIST.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param vhost virtual host, or empty for all
 */
public record PermissionsList(long requestId,
        String vhost) implements Request {

    public PermissionsList {
        vhost = Objects.requireNonNull(vhost, "vhost");
    }

    @Override
    public FrameType type() {
        return FrameType.PERMISSIONS_LIST;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.PERMISSIONS_LIST, 2);
        w.uint(requestId);
        w.str(vhost);
    }

    /** Decodes the fields after the type id. */
    public static PermissionsList decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String vhost = r.readStr("vhost");
        r.skipRemaining();
        return new PermissionsList(requestId, vhost);
    }
}
