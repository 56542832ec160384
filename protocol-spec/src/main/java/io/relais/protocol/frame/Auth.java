package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * AUTH (client to server): Authenticates the connection and proposes a heartbeat interval.
 *
 * <p>Wire form: [type_id, mechanism, response, heartbeat_millis, vhost]. See PROTOCOL.md, section AUTH.
 * {@code vhost} was added to version 1 with the {@code admin} capability: a decoder takes a frame
 * without it (from an older client) as asking for {@value #DEFAULT_VHOST}; the encoder always writes
 * it, and an older server skips it as a trailing field. Immutable; thread-safe.
 *
 * @param mechanism one of WELCOME.mechanisms
 * @param response mechanism data; PLAIN: authzid NUL authcid NUL password (RFC 4616)
 * @param heartbeatMillis heartbeat interval the client wants, 0 to accept the server's
 * @param vhost the virtual host the connection works in
 */
public record Auth(String mechanism,
        byte[] response,
        long heartbeatMillis,
        String vhost) implements Frame {
    /** The virtual host of a client that names none. */
    public static final String DEFAULT_VHOST = "/";

    public Auth {
        mechanism = Objects.requireNonNull(mechanism, "mechanism");
        response = Objects.requireNonNull(response, "response");
        vhost = Objects.requireNonNull(vhost, "vhost");
    }

    /** AUTH for the default virtual host. */
    public Auth(String mechanism, byte[] response, long heartbeatMillis) {
        this(mechanism, response, heartbeatMillis, DEFAULT_VHOST);
    }

    @Override
    public FrameType type() {
        return FrameType.AUTH;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.AUTH, 4);
        w.str(mechanism);
        w.bin(response);
        w.uint(heartbeatMillis);
        w.str(vhost);
    }

    /** Decodes the fields after the type id. */
    public static Auth decode(FrameReader r) {
        String mechanism = r.readStr("mechanism");
        byte[] response = r.readBin("response");
        long heartbeatMillis = r.readUInt("heartbeat_millis");
        String vhost = r.remaining() > 0 ? r.readStr("vhost") : DEFAULT_VHOST;
        r.skipRemaining();
        return new Auth(mechanism, response, heartbeatMillis, vhost);
    }
}
