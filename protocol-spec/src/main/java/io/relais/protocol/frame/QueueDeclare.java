package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Map;
import java.util.Objects;

/**
 * QUEUE_DECLARE (client to server): Creates a queue, or checks an existing one. An empty name asks the server to choose one.
 *
 * <p>Wire form: [type_id, request_id, name, durable, exclusive, auto_delete, passive, arguments]. See PROTOCOL.md, section QUEUE_DECLARE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name queue name, 0-255 bytes; empty: server-named
 * @param durable survives a broker restart
 * @param exclusive used by this connection only and deleted when it closes
 * @param autoDelete deleted when its last consumer goes away
 * @param passive only check that it exists
 * @param arguments queue arguments: message-ttl, max-length, max-length-bytes, overflow, dead-letter-exchange, dead-letter-routing-key
 */
public record QueueDeclare(long requestId,
        String name,
        boolean durable,
        boolean exclusive,
        boolean autoDelete,
        boolean passive,
        Map<String, Object> arguments) implements Request {

    public QueueDeclare {
        name = Objects.requireNonNull(name, "name");
        arguments = arguments == null ? Map.of() : arguments;
    }

    @Override
    public FrameType type() {
        return FrameType.QUEUE_DECLARE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.QUEUE_DECLARE, 7);
        w.uint(requestId);
        w.str(name);
        w.bool(durable);
        w.bool(exclusive);
        w.bool(autoDelete);
        w.bool(passive);
        w.map(arguments);
    }

    /** Decodes the fields after the type id. */
    public static QueueDeclare decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        boolean durable = r.readBool("durable");
        boolean exclusive = r.readBool("exclusive");
        boolean autoDelete = r.readBool("auto_delete");
        boolean passive = r.readBool("passive");
        Map<String, Object> arguments = r.readMap("arguments");
        r.skipRemaining();
        return new QueueDeclare(requestId, name, durable, exclusive, autoDelete, passive, arguments);
    }
}
