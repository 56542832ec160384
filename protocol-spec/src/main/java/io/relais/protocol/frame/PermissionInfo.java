package io.relais.protocol.frame;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a PERMISSIONS_LIST_OK answer.
 * Wire form: [user, vhost, configure, write, read, topic_write, topic_read].
 *
 * <p>Immutable; thread-safe.
 *
 * @param user user name
 * @param vhost virtual host
 * @param configure configure expression
 * @param write write expression
 * @param read read expression
 * @param topicWrite topic write expression, empty for none
 * @param topicRead topic read expression, empty for none
 */
public record PermissionInfo(String user, String vhost, String configure, String write, String read, String topicWrite, String topicRead) {
    public PermissionInfo {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(configure, "configure");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(topicWrite, "topicWrite");
        Objects.requireNonNull(topicRead, "topicRead");
    }

    static List<PermissionInfo> readList(FrameReader r, String field) {
        int n = r.readArrayHeader(field);
        List<PermissionInfo> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            try (FrameReader.Nested e = r.nested(field)) {
                list.add(new PermissionInfo(e.str("user"), e.str("vhost"), e.str("configure"), e.str("write"), e.str("read"), e.str("topic_write"), e.str("topic_read")));
            }
        }
        return list;
    }

    static void writeList(FrameWriter w, List<PermissionInfo> list) {
        w.arrayHeader(list.size());
        for (PermissionInfo e : list) {
            w.arrayHeader(7).str(e.user).str(e.vhost).str(e.configure).str(e.write).str(e.read).str(e.topicWrite).str(e.topicRead);
        }
    }
}
