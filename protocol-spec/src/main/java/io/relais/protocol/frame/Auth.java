package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * AUTH (client to server): Authenticates the connection and proposes a heartbeat interval.
 *
 * <p>Wire form: [type_id, mechanism, response, heartbeat_millis]. See PROTOCOL.md, section AUTH.
 * Immutable; thread-safe.
 *
 * @param mechanism one of WELCOME.mechanisms
 * @param response mechanism data; PLAIN: authzid NUL authcid NUL password (RFC 4616)
 * @param heartbeatMillis heartbeat interval the client wants, 0 to accept the server's
 */
public record Auth(String mechanism,
        byte[] response,
        long heartbeatMillis) implements Frame {

    public Auth {
        mechanism = Objects.requireNonNull(mechanism, "mechanism");
        response = Objects.requireNonNull(response, "response");
    }

    @Override
    public FrameType type() {
        return FrameType.AUTH;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.AUTH, 3);
        w.str(mechanism);
        w.bin(response);
        w.uint(heartbeatMillis);
    }

    /** Decodes the fields after the type id. */
    public static Auth decode(FrameReader r) {
        String mechanism = r.readStr("mechanism");
        byte[] response = r.readBin("response");
        long heartbeatMillis = r.readUInt("heartbeat_millis");
        r.skipRemaining();
        return new Auth(mechanism, response, heartbeatMillis);
    }
}
