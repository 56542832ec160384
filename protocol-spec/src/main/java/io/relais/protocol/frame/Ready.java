package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * READY (server to client): The connection is open: requests may follow.
 *
 * <p>Wire form: [type_id, connection_id, heartbeat_millis]. See PROTOCOL.md, section READY.
 * Immutable; thread-safe.
 *
 * @param connectionId server-assigned id of this connection, shown in logs
 * @param heartbeatMillis negotiated heartbeat interval in milliseconds, 0 for none
 */
public record Ready(String connectionId,
        long heartbeatMillis) implements Frame {

    public Ready {
        connectionId = Objects.requireNonNull(connectionId, "connectionId");
    }

    @Override
    public FrameType type() {
        return FrameType.READY;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.READY, 2);
        w.str(connectionId);
        w.uint(heartbeatMillis);
    }

    /** Decodes the fields after the type id. */
    public static Ready decode(FrameReader r) {
        String connectionId = r.readStr("connection_id");
        long heartbeatMillis = r.readUInt("heartbeat_millis");
        r.skipRemaining();
        return new Ready(connectionId, heartbeatMillis);
    }
}
