package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * QUEUE_LIST (client to server): Asks for the list of queues.
 *
 * <p>Wire form: [type_id, request_id]. See PROTOCOL.md, section QUEUE_LIST.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 */
public record QueueList(long requestId) implements Request {

    @Override
    public FrameType type() {
        return FrameType.QUEUE_LIST;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_LIST, 1);
        w.uint(requestId);
    }

    /** Decodes the fields after the type id. */
    public static QueueList decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        r.skipRemaining();
        return new QueueList(requestId);
    }
}
