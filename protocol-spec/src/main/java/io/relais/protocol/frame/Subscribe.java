package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * SUBSCRIBE (client to server): Starts a subscription: to a named queue, or to an exchange with a pattern (the server creates an exclusive auto-delete queue).
 *
 * <p>Wire form: [type_id, request_id, sid, queue, exchange, pattern, prefetch, manual_ack, exclusive]. See PROTOCOL.md, section SUBSCRIBE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param sid subscription id chosen by the client, > 0, unique among its active subscriptions
 * @param queue queue to consume from; empty to subscribe to exchange and pattern
 * @param exchange exchange for a pattern subscription; empty for the default
 * @param pattern binding pattern for a pattern subscription; ignored when queue is set
 * @param prefetch manual ack: most unacknowledged deliveries at a time, 0 for the server default; ignored with automatic ack
 * @param manualAck true: the client acknowledges each delivery; false: deliveries count as acknowledged when sent
 * @param exclusive be the queue's only consumer
 */
public record Subscribe(long requestId,
        long sid,
        String queue,
        String exchange,
        String pattern,
        long prefetch,
        boolean manualAck,
        boolean exclusive) implements Request {

    public Subscribe {
        queue = Objects.requireNonNull(queue, "queue");
        exchange = Objects.requireNonNull(exchange, "exchange");
        pattern = Objects.requireNonNull(pattern, "pattern");
    }

    @Override
    public FrameType type() {
        return FrameType.SUBSCRIBE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.SUBSCRIBE, 8);
        w.uint(requestId);
        w.uint(sid);
        w.str(queue);
        w.str(exchange);
        w.str(pattern);
        w.uint(prefetch);
        w.bool(manualAck);
        w.bool(exclusive);
    }

    /** Decodes the fields after the type id. */
    public static Subscribe decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        long sid = r.readUInt("sid");
        String queue = r.readStr("queue");
        String exchange = r.readStr("exchange");
        String pattern = r.readStr("pattern");
        long prefetch = r.readUInt("prefetch");
        boolean manualAck = r.readBool("manual_ack");
        boolean exclusive = r.readBool("exclusive");
        r.skipRemaining();
        return new Subscribe(requestId, sid, queue, exchange, pattern, prefetch, manualAck, exclusive);
    }
}
