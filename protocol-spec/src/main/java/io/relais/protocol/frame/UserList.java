package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * USER_LIST (client to server): Asks for the list of users. Needs the {@code admin} capability and the
 * {@code administrator} or {@code monitoring} tag.
 *
 * <p>Wire form: [type_id, request_id]. See PROTOCOL.md, section USER_LIST.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 */
public record UserList(long requestId) implements Request {

    @Override
    public FrameType type() {
        return FrameType.USER_LIST;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.USER_LIST, 1);
        w.uint(requestId);
    }

    /** Decodes the fields after the type id. */
    public static UserList decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        r.skipRemaining();
        return new UserList(requestId);
    }
}
