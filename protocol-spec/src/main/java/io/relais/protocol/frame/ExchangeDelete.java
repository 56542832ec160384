package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * EXCHANGE_DELETE (client to server): Deletes an exchange and its bindings.
 *
 * <p>Wire form: [type_id, request_id, name, if_unused]. See PROTOCOL.md, section EXCHANGE_DELETE.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param name exchange name
 * @param ifUnused fail with PRECONDITION_FAILED if it has bindings
 */
public record ExchangeDelete(long requestId,
        String name,
        boolean ifUnused) implements Request {

    public ExchangeDelete {
        name = Objects.requireNonNull(name, "name");
    }

    @Override
    public FrameType type() {
        return FrameType.EXCHANGE_DELETE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.EXCHANGE_DELETE, 3);
        w.uint(requestId);
        w.str(name);
        w.bool(ifUnused);
    }

    /** Decodes the fields after the type id. */
    public static ExchangeDelete decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        boolean ifUnused = r.readBool("if_unused");
        r.skipRemaining();
        return new ExchangeDelete(requestId, name, ifUnused);
    }
}
