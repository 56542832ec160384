package io.relais.protocol.frame;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One exchange in an EXCHANGE_LIST_OK answer. Wire form: [name, exchange_type, durable, auto_delete, bindings].
 *
 * <p>Immutable; thread-safe.
 *
 * @param name exchange name; empty for the default exchange
 * @param exchangeType topic, fanout or direct
 * @param durable survives a restart
 * @param autoDelete deleted when its last binding goes
 * @param bindings number of bindings
 */
public record ExchangeInfo(String name, String exchangeType, boolean durable, boolean autoDelete, long bindings) {
    static List<ExchangeInfo> readList(FrameReader r, String field) {
        int n = r.readArrayHeader(field);
        List<ExchangeInfo> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            try (FrameReader.Nested e = r.nested(field)) {
                list.add(new ExchangeInfo(e.str("name"), e.str("exchange_type"), e.bool("durable"),
                        e.bool("auto_delete"), e.uint("bindings")));
            }
        }
        return list;
    }

    static void writeList(FrameWriter w, List<ExchangeInfo> list) {
        w.arrayHeader(list.size());
        for (ExchangeInfo e : list) {
            w.arrayHeader(5).str(e.name).str(e.exchangeType).bool(e.durable).bool(e.autoDelete).uint(e.bindings);
        }
    }
}
