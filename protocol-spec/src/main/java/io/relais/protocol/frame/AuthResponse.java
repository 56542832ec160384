package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * AUTH_RESPONSE (client to server): The client's answer to an AUTH_CHALLENGE that is not {@code done}
 * (SCRAM-SHA-256: the client-final-message). Sent only when the {@code sasl} capability is effective.
 *
 * <p>Wire form: [type_id, data]. See PROTOCOL.md, section AUTH_RESPONSE.
 * Immutable; thread-safe.
 *
 * @param data the mechanism's message
 */
public record AuthResponse(byte[] data) implements Frame {

    public AuthResponse {
        data = Objects.requireNonNull(data, "data");
    }

    @Override
    public FrameType type() {
        return FrameType.AUTH_RESPONSE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.AUTH_RESPONSE, 1);
        w.bin(data);
    }

    /** Decodes the fields after the type id. */
    public static AuthResponse decode(FrameReader r) {
        byte[] data = r.readBin("data");
        r.skipRemaining();
        return new AuthResponse(data);
    }
}
