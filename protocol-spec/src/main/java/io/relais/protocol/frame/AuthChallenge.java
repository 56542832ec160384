package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * AUTH_CHALLENGE (server to client): The next message of a challenge-response authentication mechanism
 * (SCRAM-SHA-256: the server-first-message, then the server-final-message). Sent only when the {@code sasl}
 * capability is effective.
 *
 * <p>Wire form: [type_id, data, done]. See PROTOCOL.md, section AUTH_CHALLENGE.
 * Immutable; thread-safe.
 *
 * @param data the mechanism's message
 * @param done true when this is the server's final message: no AUTH_RESPONSE follows, READY comes next once
 *     the client has verified it
 */
public record AuthChallenge(byte[] data,
        boolean done) implements Frame {

    public AuthChallenge {
        data = Objects.requireNonNull(data, "data");
    }

    @Override
    public FrameType type() {
        return FrameType.AUTH_CHALLENGE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.AUTH_CHALLENGE, 2);
        w.bin(data);
        w.bool(done);
    }

    /** Decodes the fields after the type id. */
    public static AuthChallenge decode(FrameReader r) {
        byte[] data = r.readBin("data");
        boolean done = r.readBool("done");
        r.skipRemaining();
        return new AuthChallenge(data, done);
    }
}
