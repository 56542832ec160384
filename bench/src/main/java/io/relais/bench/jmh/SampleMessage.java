package io.relais.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.relais.protocol.Properties;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The message the codec and store benchmarks use: a 100-byte random payload and the properties a
 * typical producer sets (content type, message id, timestamp, two headers).
 *
 * <p>Stateless; thread-safe.
 */
final class SampleMessage {
    /** Payload size, in bytes. */
    static final int PAYLOAD_BYTES = 100;
    /** Exchange name. */
    static final String EXCHANGE = "orders";
    /** Routing key. */
    static final String ROUTING_KEY = "region.eu.orders.created";
    /** Properties: content type, message id, timestamp and two headers. */
    static final Properties PROPERTIES = Properties.builder()
            .contentType("application/json")
            .messageId("order-4711")
            .timestamp(1_790_000_000_000L)
            .headers(Map.of("tenant", "acme", "attempt", 1L))
            .build();

    private SampleMessage() {
    }

    /** A new direct buffer from {@code alloc} holding {@link #PAYLOAD_BYTES} random bytes; the caller releases it. */
    static ByteBuf payload(ByteBufAllocator alloc) {
        byte[] body = new byte[PAYLOAD_BYTES];
        ThreadLocalRandom.current().nextBytes(body);
        return alloc.directBuffer(PAYLOAD_BYTES).writeBytes(body);
    }
}
