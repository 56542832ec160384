package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * ERROR (server to client): Reports an error: for a request (request id > 0, connection stays open) or for the connection (request id 0; codes 2000-2999 close it).
 *
 * <p>Wire form: [type_id, request_id, code, message]. See PROTOCOL.md, section ERROR.
 * Immutable; thread-safe.
 *
 * @param requestId id of the failed request, 0 when the error is not tied to one
 * @param code error code from the catalogue
 * @param message human-readable detail
 */
public record ErrorFrame(long requestId,
        int code,
        String message) implements Answer {

    public ErrorFrame {
        message = Objects.requireNonNull(message, "message");
    }

    @Override
    public FrameType type() {
        return FrameType.ERROR;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.ERROR, 3);
        w.uint(requestId);
        w.uint(code);
        w.str(message);
    }

    /** Decodes the fields after the type id. */
    public static ErrorFrame decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        int code = r.readUInt31("code");
        String message = r.readStr("message");
        r.skipRemaining();
        return new ErrorFrame(requestId, code, message);
    }
}
