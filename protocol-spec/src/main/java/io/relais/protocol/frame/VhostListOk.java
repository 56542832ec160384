package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;

/**
 * VHOST_LIST_OK (server to client): Answer to VHOST_LIST.
 *
 * <p>Wire form: [type_id, request_id, vhosts]. See PROTOCOL.md, section VHOST_LIST_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param vhosts one array per virtual host: [name, queues, connections]
 */
public record VhostListOk(long requestId,
        List<VhostInfo> vhosts) implements Answer {

    public VhostListOk {
        vhosts = List.copyOf(vhosts);
    }

    @Override
    public FrameType type() {
        return FrameType.VHOST_LIST_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.VHOST_LIST_OK, 2);
        w.uint(requestId);
        VhostInfo.writeList(w, vhosts);
    }

    /** Decodes the fields after the type id. */
    public static VhostListOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        List<VhostInfo> vhosts = VhostInfo.readList(r, "vhosts");
        r.skipRemaining();
        return new VhostListOk(requestId, vhosts);
    }
}
