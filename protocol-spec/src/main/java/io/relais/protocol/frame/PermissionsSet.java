package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * PERMISSIONS_SET (client to server): Sets (replaces) a user's permissions in a virtual host.
 *
 * <p>Wire form: [type_id, request_id, user, vhost, configure, write, read, topic_write, topic_read]. See PROTOCOL.md, section PERMISSIONS_SET.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param user user name
 * @param vhost virtual host
 * @param configure configure expression
 * @param write write expression
 * @param read read expression
 * @param topicWrite topic write expression, empty for none
 * @param topicRead topic read expression, empty for none
 */
public record PermissionsSet(long requestId,
        String user,
        String vhost,
        String configure,
        String write,
        String read,
        String topicWrite,
        String topicRead) implements Request {

    public PermissionsSet {
        user = Objects.requireNonNull(user, "user");
        vhost = Objects.requireNonNull(vhost, "vhost");
        configure = Objects.requireNonNull(configure, "configure");
        write = Objects.requireNonNull(write, "write");
        read = Objects.requireNonNull(read, "read");
        topicWrite = Objects.requireNonNull(topicWrite, "topicWrite");
        topicRead = Objects.requireNonNull(topicRead, "topicRead");
    }

    @Override
    public FrameType type() {
        return FrameType.PERMISSIONS_SET;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.PERMISSIONS_SET, 8);
        w.uint(requestId);
        w.str(user);
        w.str(vhost);
        w.str(configure);
        w.str(write);
        w.str(read);
        w.str(topicWrite);
        w.str(topicRead);
    }

    /** Decodes the fields after the type id. */
    public static PermissionsSet decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String user = r.readStr("user");
        String vhost = r.readStr("vhost");
        String configure = r.readStr("configure");
        String write = r.readStr("write");
        String read = r.readStr("read");
        String topicWrite = r.readStr("topic_write");
        String topicRead = r.readStr("topic_read");
        r.skipRemaining();
        return new PermissionsSet(requestId, user, vhost, configure, write, read, topicWrite, topicRead);
    }
}
