package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;
import java.util.Map;
import java.util.Objects;

/**
 * EXCHANGE_DECLARE (client to server): Creates an exchange, or checks that an existing one has the same type and flags.
 *
 * <p>Wire form: [type_id, request_id, name, exchange_type, durable, auto_delete, passive, arguments]. See PROTOCOL.md, section EXCHANGE_DECLARE.
 * Immutable; thread-safe.
 *
 * @param requestId request id, > 0, unique among this connection's outstanding requests
 * @param name exchange name, 1-255 bytes
 * @param exchangeType topic, fanout or direct
 * @param durable survives a broker restart
 * @param autoDelete deleted when its last binding is removed
 * @param passive only check that it exists
 * @param arguments extension arguments; none defined in v1
 */
public record ExchangeDeclare(long requestId,
        String name,
        String exchangeType,
        boolean durable,
        boolean autoDelete,
        boolean passive,
        Map<String, Object> arguments) implements Request {

    public ExchangeDeclare {
        name = Objects.requireNonNull(name, "name");
        exchangeType = Objects.requireNonNull(exchangeType, "exchangeType");
        arguments = arguments == null ? Map.of() : arguments;
    }

    @Override
    public FrameType type() {
        return FrameType.EXCHANGE_DECLARE;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.EXCHANGE_DECLARE, 7);
        w.uint(requestId);
        w.str(name);
        w.str(exchangeType);
        w.bool(durable);
        w.bool(autoDelete);
        w.bool(passive);
        w.map(arguments);
    }

    /** Decodes the fields after the type id. */
    public static ExchangeDeclare decode(FrameReader r) {
        long requestId = r.readUInt("request_id");
        String name = r.readStr("name");
        String exchangeType = r.readStr("exchange_type");
        boolean durable = r.readBool("durable");
        boolean autoDelete = r.readBool("auto_delete");
        boolean passive = r.readBool("passive");
        Map<String, Object> arguments = r.readMap("arguments");
        r.skipRemaining();
        return new ExchangeDeclare(requestId, name, exchangeType, durable, autoDelete, passive, arguments);
    }
}
