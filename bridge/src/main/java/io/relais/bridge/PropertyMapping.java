package io.relais.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.relais.protocol.Properties;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps message properties between Relais and AMQP 0-9-1, both ways; {@code bridge/README.md} has the table.
 * Also stamps and reads the origin header that keeps links from bouncing a message back. Stateless.
 */
public final class PropertyMapping {
    /** Header naming the side a bridged message first came from: {@code relais} or {@code rabbitmq}. */
    public static final String ORIGIN_HEADER = "x-relais-bridge-origin";

    private PropertyMapping() {
    }

    /** AMQP properties for a Relais message, with the origin header set to {@code origin}. */
    public static AMQP.BasicProperties toAmqp(Properties p, boolean persistent, String origin) {
        Map<String, Object> headers = new LinkedHashMap<>();
        if (p.headers() != null) {
            headers.putAll(p.headers());
        }
        headers.put(ORIGIN_HEADER, origin);
        return new AMQP.BasicProperties.Builder()
                .contentType(p.contentType())
                .messageId(p.messageId())
                .correlationId(p.correlationId())
                .replyTo(p.replyTo())
                .timestamp(p.timestamp() == null ? null : new Date(p.timestamp()))
                .expiration(p.expiration() == null ? null : Long.toString(p.expiration()))
                .deliveryMode(persistent ? 2 : 1)
                .headers(headers)
                .build();
    }

    /** Relais properties for an AMQP message; its headers (origin header included) as they are. */
    public static Properties toRelais(AMQP.BasicProperties p) {
        Map<String, Object> headers = new LinkedHashMap<>();
        if (p.getHeaders() != null) {
            for (Map.Entry<String, Object> e : p.getHeaders().entrySet()) {
                headers.put(e.getKey(), scalar(e.getValue()));
            }
        }
        Long expiration = null;
        if (p.getExpiration() != null) {
            try {
                expiration = Long.parseLong(p.getExpiration().trim());
            } catch (NumberFormatException e) {
                expiration = null; // AMQP says it is a number of milliseconds; anything else is ignored.
            }
        }
        return new Properties(p.getContentType(), p.getMessageId(), p.getCorrelationId(), p.getReplyTo(),
                p.getTimestamp() == null ? null : p.getTimestamp().getTime(), expiration,
                headers.isEmpty() ? null : headers);
    }

    /** True if an AMQP message was published with delivery mode 2. */
    public static boolean persistent(AMQP.BasicProperties p) {
        return p.getDeliveryMode() != null && p.getDeliveryMode() == 2;
    }

    /** The side a message first came from according to its headers, or null. */
    public static String origin(Map<String, Object> headers) {
        if (headers == null) {
            return null;
        }
        Object o = headers.get(ORIGIN_HEADER);
        return o == null ? null : o instanceof LongString ls ? ls.toString() : o.toString();
    }

    /** An AMQP header value as one of the scalars a Relais header may hold. */
    static Object scalar(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof byte[]) {
            return v;
        }
        if (v instanceof LongString ls) {
            return new String(ls.getBytes(), StandardCharsets.UTF_8);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Date d) {
            return d.getTime();
        }
        if (v instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return String.valueOf(v); // nested tables and arrays: Relais headers are flat
    }
}
