package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * QUEUE_DECLARE_OK (server to client): Answer to QUEUE_DECLARE.
 *
 * <p>Wire form: [type_id, request_id, name, message_count, consumer_count]. See PROTOCOL.md, section QUEUE_DECLARE_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name the queue's name (chosen by the server if the request's was empty)
 * @param messageCount messages ready in the queue
 * @param consumerCount active consumers
 */
public record QueueDeclareOk(long requestId,
        String name,
        long messageCount,
        long consumerCount) implements Answer {

    public QueueDeclareOk {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.QUEUE_DECLARE_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_DECLARE_OK, 4);
        w.uint(requestId);
        w.str(name);
        w.uint(messageCount);
        w.uint(consumerCount);
    }

    /** Decodes the fields after the type id. */
    public static QueueDeclareOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        long messageCount = r.readUInt("message_count");
        long consumerCount = r.readUInt("consumer_count");
        r.skipRemaining();
        return new QueueDeclareOk(requestId, name, messageCount, consumerCount);
    }
}
