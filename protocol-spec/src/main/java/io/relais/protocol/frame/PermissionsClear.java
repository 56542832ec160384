package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * PERMISSIONS_CLEAR (client to server): Clears a user's permissions in a virtual host.
 *
 * <p>Wire form: [type_id, request_id, user, vhost]. See PROTOCOL.md, section PERMISSIONS_CLEAR.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param user user name
 * @param vhost virtual host
 */
public record PermissionsClear(long requestId,
        String user,
        String vhost) implements Request {

    public PermissionsClear {
        user = Objects.requireNonNull(user, "user");
        vhost = Objects.requireNonNull(vhost, "vhost");
    }

    @Override
    public FrameType type() {
        return FrameType.PERMISSIONS_CLEAR;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.PERMISSIONS_CLEAR, 3);
        w.uint(requestId);
        w.str(user);
        w.str(vhost);
    }

    /** Decodes the fields after the type id. */
    public static PermissionsClear decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String user = r.readStr("user");
        String vhost = r.readStr("vhost");
        r.skipRemaining();
        return new PermissionsClear(requestId, user, vhost);
    }
}
