package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;

/**
 * QUEUE_LIST_OK (server to client): Answer to QUEUE_LIST.
 *
 * <p>Wire form: [type_id, request_id, queues]. See PROTOCOL.md, section QUEUE_LIST_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param queues one array per queue: [name, durable, exclusive, auto_delete, messages, unacked, consumers]
 */
public record QueueListOk(long requestId,
        List<QueueInfo> queues) implements Answer {

    public QueueListOk {
        queues = List.copyOf(queues);
    }

    @Override
    public FrameType type() {
        return FrameType.QUEUE_LIST_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_LIST_OK, 2);
        w.uint(requestId);
        QueueInfo.writeList(w, queues);
    }

    /** Decodes the fields after the type id. */
    public static QueueListOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        List<QueueInfo> queues = QueueInfo.readList(r, "queues");
        r.skipRemaining();
        return new QueueListOk(requestId, queues);
    }
}
