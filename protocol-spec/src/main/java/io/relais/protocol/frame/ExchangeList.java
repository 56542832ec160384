package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * EXCHANGE_LIST (client to server): Asks for the list of exchanges.
 *
 * <p>Wire form: [type_id, request_id]. See PROTOCOL.md, section EXCHANGE_LIST.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 */
public record ExchangeList(long requestId) implements Request {

    @Override
    public FrameType type() {
        return FrameType.EXCHANGE_LIST;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.EXCHANGE_LIST, 1);
        w.uint(requestId);
    }

    /** Decodes the fields after the type id. */
    public static ExchangeList decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        r.skipRemaining();
        return new ExchangeList(requestId);
    }
}
