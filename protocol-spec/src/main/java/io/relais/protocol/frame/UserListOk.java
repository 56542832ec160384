package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;

/**
 * USER_LIST_OK (server to client): Answer to USER_LIST.
 *
 * <p>Wire form: [type_id, request_id, users]. See PROTOCOL.md, section USER_LIST_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param users one array per user: [name, tags, loopback_only]
 */
public record UserListOk(long requestId,
        List<UserInfo> users) implements Answer {

    public UserListOk {
        users = List.copyOf(users);
    }

    @Override
    public FrameType type() {
        return FrameType.USER_LIST_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.USER_LIST_OK, 2);
        w.uint(requestId);
        UserInfo.writeList(w, users);
    }

    /** Decodes the fields after the type id. */
    public static UserListOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        List<UserInfo> users = UserInfo.readList(r, "users");
        r.skipRemaining();
        return new UserListOk(requestId, users);
    }
}
