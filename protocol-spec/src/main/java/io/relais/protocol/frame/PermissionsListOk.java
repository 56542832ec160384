package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;

/**
 * PERMISSIONS_LIST_OK (server to client): Answer to PERMISSIONS_LIST.
 *
 * <p>Wire form: [type_id, request_id, permissions]. See PROTOCOL.md, section PERMISSIONS_LIST_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param permissions one array per entry: [user, vhost, configure, write, read, topic_write, topic_read]
 */
public record PermissionsListOk(long requestId,
        List<PermissionInfo> permissions) implements Answer {

    public PermissionsListOk {
        permissions = List.copyOf(permissions);
    }

    @Override
    public FrameType type() {
        return FrameType.PERMISSIONS_LIST_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.PERMISSIONS_LIST_OK, 2);
        w.uint(requestId);
        PermissionInfo.writeList(w, permissions);
    }

    /** Decodes the fields after the type id. */
    public static PermissionsListOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        List<PermissionInfo> permissions = PermissionInfo.readList(r, "permissions");
        r.skipRemaining();
        return new PermissionsListOk(requestId, permissions);
    }
}
