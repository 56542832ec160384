package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * USER_DELETE (client to server): Deletes a user. Needs the {@code admin} capability and the
 * {@code administrator} tag.
 *
 * <p>Wire form: [type_id, request_id, name]. See PROTOCOL.md, section USER_DELETE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name the user
 */
public record UserDelete(long requestId,
        String name) implements Request {

    public UserDelete {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.USER_DELETE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.USER_DELETE, 2);
        w.uint(requestId);
        w.str(name);
    }

    /** Decodes the fields after the type id. */
    public static UserDelete decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        r.skipRemaining();
        return new UserDelete(requestId, name);
    }
}
