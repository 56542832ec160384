package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;
import java.util.Objects;

/**
 * USER_PUT (client to server): Creates a user, changes its password or its tags. The client derives the
 * SCRAM-SHA-256 credentials from the password itself, so the password never crosses the wire. Needs the
 * {@code admin} capability and the {@code administrator} tag.
 *
 * <p>Wire form: [type_id, request_id, name, mode, salt, iterations, stored_key, server_key, tags]. See
 * PROTOCOL.md, section USER_PUT. Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name the user
 * @param mode {@link #CREATE}, {@link #SET_PASSWORD} or {@link #SET_TAGS}
 * @param salt the SCRAM salt (modes 0 and 1)
 * @param iterations the PBKDF2 iteration count, at least 4096
 * @param storedKey SCRAM StoredKey, H(HMAC(SaltedPassword, "Client Key")) (modes 0 and 1)
 * @param serverKey SCRAM ServerKey, HMAC(SaltedPassword, "Server Key") (modes 0 and 1)
 * @param tags the user's tags (modes 0 and 2)
 */
public record UserPut(long requestId,
        String name,
        int mode,
        byte[] salt,
        long iterations,
        byte[] storedKey,
        byte[] serverKey,
        List<String> tags) implements Request {

    /** Mode: creates a new user; refused if it exists. */
    public static final int CREATE = 0;
    /** Mode: replaces an existing user's credentials; its tags stay. */
    public static final int SET_PASSWORD = 1;
    /** Mode: replaces an existing user's tags; its credentials stay. */
    public static final int SET_TAGS = 2;

    public UserPut {
        name = Objects.requireNonNull(name, "name");
        salt = Objects.requireNonNull(salt, "salt");
        storedKey = Objects.requireNonNull(storedKey, "storedKey");
        serverKey = Objects.requireNonNull(serverKey, "serverKey");
        tags = List.copyOf(tags);
    }

    @Override
    public FrameType type() {
        return FrameType.USER_PUT;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.USER_PUT, 8);
        w.uint(requestId);
        w.str(name);
        w.uint(mode);
        w.bin(salt);
        w.uint(iterations);
        w.bin(storedKey);
        w.bin(serverKey);
        w.strList(tags);
    }

    /** Decodes the fields after the type id. */
    public static UserPut decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        int mode = r.readUInt31("mode");
        byte[] salt = r.readBin("salt");
        long iterations = r.readUInt("iterations");
        byte[] storedKey = r.readBin("stored_key");
        byte[] serverKey = r.readBin("server_key");
        List<String> tags = r.readStrList("tags");
        r.skipRemaining();
        return new UserPut(requestId, name, mode, salt, iterations, storedKey, serverKey, tags);
    }
}
