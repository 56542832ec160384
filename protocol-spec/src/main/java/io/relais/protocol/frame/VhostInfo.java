package io.relais.protocol.frame;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a VHOST_LIST_OK answer.
 * Wire form: [name, queues, connections].
 *
 * <p>Immutable; thread-safe.
 *
 * @param name virtual host name
 * @param queues queues in it
 * @param connections connections open in it
 */
public record VhostInfo(String name, long queues, long connections) {
    public VhostInfo {
        Objects.requireNonNull(name, "name");
    }

    static List<VhostInfo> readList(FrameReader r, String field) {
        int n = r.readArrayHeader(field);
        List<VhostInfo> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            try (FrameReader.Nested e = r.nested(field)) {
                list.add(new VhostInfo(e.str("name"), e.uint("queues"), e.uint("connections")));
            }
        }
        return list;
    }

    static void writeList(FrameWriter w, List<VhostInfo> list) {
        w.arrayHeader(list.size());
        for (VhostInfo e : list) {
            w.arrayHeader(3).str(e.name).uint(e.queues).uint(e.connections);
        }
    }
}
