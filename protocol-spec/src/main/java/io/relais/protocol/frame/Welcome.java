package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;
import java.util.Objects;

/**
 * WELCOME (server to client): Server's answer to HELLO: the chosen version, its capabilities, and how to authenticate.
 *
 * <p>Wire form: [type_id, version, server_name, server_version, capabilities, mechanisms, max_frame_size, heartbeat_millis]. See PROTOCOL.md, section WELCOME.
 * Immutable; thread-safe.
 *
 * @param version the protocol version chosen for this connection
 * @param serverName product name, "relais"
 * @param serverVersion server software version
 * @param capabilities capabilities the server supports; both sides use the intersection with HELLO's
 * @param mechanisms authentication mechanisms offered, in order of preference
 * @param maxFrameSize largest frame body, in bytes, the server accepts after READY
 * @param heartbeatMillis heartbeat interval the server proposes, 0 for none
 */
public record Welcome(long version,
        String serverName,
        String serverVersion,
        List<String> capabilities,
        List<String> mechanisms,
        long maxFrameSize,
        long heartbeatMillis) implements Frame {

    public Welcome {
        serverName = Objects.requireNonNull(serverName, "serverName");
        serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
        capabilities = List.copyOf(capabilities);
        mechanisms = List.copyOf(mechanisms);
    }

    @Override
    public FrameType type() {
        return FrameType.WELCOME;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.WELCOME, 7);
        w.uint(version);
        w.str(serverName);
        w.str(serverVersion);
        w.strList(capabilities);
        w.strList(mechanisms);
        w.uint(maxFrameSize);
        w.uint(heartbeatMillis);
    }

    /** Decodes the fields after the type id. */
    public static Welcome decode(FrameReader r) {
        long version = r.readUInt("version");
        String serverName = r.readStr("server_name");
        String serverVersion = r.readStr("server_version");
        List<String> capabilities = r.readStrList("capabilities");
        List<String> mechanisms = r.readStrList("mechanisms");
        long maxFrameSize = r.readUInt("max_frame_size");
        long heartbeatMillis = r.readUInt("heartbeat_millis");
        r.skipRemaining();
        return new Welcome(version, serverName, serverVersion, capabilities, mechanisms, maxFrameSize, heartbeatMillis);
    }
}
