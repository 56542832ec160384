package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.List;

/**
 * EXCHANGE_LIST_OK (server to client): Answer to EXCHANGE_LIST.
 *
 * <p>Wire form: [type_id, request_id, exchanges]. See PROTOCOL.md, section EXCHANGE_LIST_OK.
 * Immutable; thread-safe.
 *
 * @param requestId request id
 * @param exchanges one array per exchange: [name, exchange_type, durable, auto_delete, bindings]
 */
public record ExchangeListOk(long requestId,
        List<ExchangeInfo> exchanges) implements Answer {

    public ExchangeListOk {
        exchanges = List.copyOf(exchanges);
    }

    @Override
    public FrameType type() {
        return FrameType.EXCHANGE_LIST_OK;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.EXCHANGE_LIST_OK, 2);
        w.uint(requestId);
        ExchangeInfo.writeList(w, exchanges);
    }

    /** Decodes the fields after the type id. */
    public static ExchangeListOk decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        List<ExchangeInfo> exchanges = ExchangeInfo.readList(r, "exchanges");
        r.skipRemaining();
        return new ExchangeListOk(requestId, exchanges);
    }
}
