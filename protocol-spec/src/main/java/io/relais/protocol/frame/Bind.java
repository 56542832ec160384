package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Map;
import java.util.Objects;

/**
 * BIND (client to server): Binds a queue to an exchange with a pattern (topic), a key (direct) or anything (fanout).
 *
 * <p>Wire form: [type_id, request_id, queue, exchange, pattern, arguments]. See PROTOCOL.md, section BIND.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param queue queue name
 * @param exchange exchange name; empty for the default exchange
 * @param pattern binding pattern or key
 * @param arguments extension arguments; none defined in v1
 */
public record Bind(long requestId,
        String queue,
        String exchange,
        String pattern,
        Map<String, Object> arguments) implements Request {

    public Bind {
        queue = Objects.requireNonNull(queue, "queue");
        exchange = Objects.requireNonNull(exchange, "exchange");
        pattern = Objects.requireNonNull(pattern, "pattern");
        arguments = arguments == null ? Map.of() : arguments;
    }

    @Override
    public FrameType type() {
        return FrameType.BIND;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.BIND, 5);
        w.uint(requestId);
        w.str(queue);
        w.str(exchange);
        w.str(pattern);
        w.map(arguments);
    }

    /** Decodes the fields after the type id. */
    public static Bind decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String queue = r.readStr("queue");
        String exchange = r.readStr("exchange");
        String pattern = r.readStr("pattern");
        Map<String, Object> arguments = r.readMap("arguments");
        r.skipRemaining();
        return new Bind(requestId, queue, exchange, pattern, arguments);
    }
}
