package io.relais.protocol.frame;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One queue in a QUEUE_LIST_OK answer.
 * Wire form: [name, durable, exclusive, auto_delete, messages, unacked, consumers].
 *
 * <p>Immutable; thread-safe.
 *
 * @param name queue name
 * @param durable survives a restart
 * @param exclusive owned by one connection
 * @param autoDelete deleted when its last consumer goes
 * @param messages messages ready for delivery
 * @param unacked messages delivered and not yet acknowledged
 * @param consumers active consumers
 */
public record QueueInfo(String name, boolean durable, boolean exclusive, boolean autoDelete, long messages,
                        long unacked, long consumers) {
    static List<QueueInfo> readList(FrameReader r, String field) {
        int n = r.readArrayHeader(field);
        List<QueueInfo> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            try (FrameReader.Nested q = r.nested(field)) {
                list.add(new QueueInfo(q.str("name"), q.bool("durable"), q.bool("exclusive"),
                        q.bool("auto_delete"), q.uint("messages"), q.uint("unacked"), q.uint("consumers")));
            }
        }
        return list;
    }

    static void writeList(FrameWriter w, List<QueueInfo> list) {
        w.arrayHeader(list.size());
        for (QueueInfo q : list) {
            w.arrayHeader(7).str(q.name).bool(q.durable).bool(q.exclusive).bool(q.autoDelete)
                    .uint(q.messages).uint(q.unacked).uint(q.consumers);
        }
    }
}
