package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;
import java.util.Objects;

/**
 * HELLO (client to server): First frame of a connection: the versions and capabilities the client speaks.
 *
 * <p>Wire form: [type_id, min_version, max_version, client_name, capabilities]. See PROTOCOL.md, section HELLO.
 * Immutable; thread-safe.
 *
 * @param minVersion lowest protocol version the client speaks
 * @param maxVersion highest protocol version the client speaks
 * @param clientName free text naming the client library and application, for logs
 * @param capabilities capabilities the client wants to use
 */
public record Hello(long minVersion,
        long maxVersion,
        String clientName,
        List<String> capabilities) implements Frame {

    public Hello {
        clientName = Objects.requireNonNull(clientName, "clientName");
        capabilities = List.copyOf(capabilities);
    }

    @Override
    public FrameType type() {
        return FrameType.HELLO;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.HELLO, 4);
        w.uint(minVersion);
        w.uint(maxVersion);
        w.str(clientName);
        w.strList(capabilities);
    }

    /** Decodes the fields after the type id. */
    public static Hello decode(FrameReader r) {
        long minVersion = r.readUInt("min_version");
        long maxVersion = r.readUInt("max_version");
        String clientName = r.readStr("client_name");
        List<String> capabilities = r.readStrList("capabilities");
        r.skipRemaining();
        return new Hello(minVersion, maxVersion, clientName, capabilities);
    }
}
