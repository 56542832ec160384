package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * UNBIND (client to server): Removes a binding.
 *
 * <p>Wire form: [type_id, request_id, queue, exchange, pattern]. See PROTOCOL.md, section UNBIND.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param queue queue name
 * @param exchange exchange name
 * @param pattern binding pattern or key
 */
public record Unbind(long requestId,
        String queue,
        String exchange,
        String pattern) implements Request {

    public Unbind {
        queue = Objects.requireNonNull(queue, "queue");
        exchange = Objects.requireNonNull(exchange, "exchange");
        pattern = Objects.requireNonNull(pattern, "pattern");
    }

    @Override
    public FrameType type() {
        return FrameType.UNBIND;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.UNBIND, 4);
        w.uint(requestId);
        w.str(queue);
        w.str(exchange);
        w.str(pattern);
    }

    /** Decodes the fields after the type id. */
    public static Unbind decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String queue = r.readStr("queue");
        String exchange = r.readStr("exchange");
        String pattern = r.readStr("pattern");
        r.skipRemaining();
        return new Unbind(requestId, queue, exchange, pattern);
    }
}
