package io.relais.protocol.frame;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One user in a USER_LIST_OK answer. Wire form: [name, tags, loopback_only]. No credential is ever listed.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name user name
 * @param tags the user's tags ({@code administrator}, {@code monitoring})
 * @param loopbackOnly the user may log in only from a loopback address
 */
public record UserInfo(String name, List<String> tags, boolean loopbackOnly) {
    public UserInfo {
        name = Objects.requireNonNull(name, "name");
        tags = List.copyOf(tags);
    }

    static List<UserInfo> readList(FrameReader r, String field) {
        int n = r.readArrayHeader(field);
        List<UserInfo> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            try (FrameReader.Nested e = r.nested(field)) {
                list.add(new UserInfo(e.str("name"), e.strList("tags"), e.bool("loopback_only")));
            }
        }
        return list;
    }

    static void writeList(FrameWriter w, List<UserInfo> list) {
        w.arrayHeader(list.size());
        for (UserInfo u : list) {
            w.arrayHeader(3).str(u.name).strList(u.tags).bool(u.loopbackOnly);
        }
    }
}
