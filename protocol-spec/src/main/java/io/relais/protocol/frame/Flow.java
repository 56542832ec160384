package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * FLOW (server to client): The server stopped reading from this connection because a queue it
 * publishes into is congested or the memory alarm is raised ({@code blocked} true), or it reads again
 * ({@code blocked} false). Sent only when the {@code flow} capability is effective.
 *
 * <p>Wire form: [type_id, blocked, queue, reason]. See PROTOCOL.md, section FLOW.
 * Immutable; thread-safe.
 *
 * @param blocked true when reading stopped, false when it resumed
 * @param queue the congested queue that stopped it, or "" (memory alarm, or resumed)
 * @param reason human-readable reason
 */
public record Flow(boolean blocked,
        String queue,
        String reason) implements Frame {

    public Flow {
        queue = Objects.requireNonNull(queue, "queue");
        reason = Objects.requireNonNull(reason, "reason");
    }

    @Override
    public FrameType type() {
        return FrameType.FLOW;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.FLOW, 3);
        w.bool(blocked);
        w.str(queue);
        w.str(reason);
    }

    /** Decodes the fields after the type id. */
    public static Flow decode(FrameReader r) {
        boolean blocked = r.readBool("blocked");
        String queue = r.readStr("queue");
        String reason = r.readStr("reason");
        r.skipRemaining();
        return new Flow(blocked, queue, reason);
    }
}
