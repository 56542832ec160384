package io.relais.client;

import io.relais.protocol.Properties;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a {@link RequestHandler} answers a request with: a body and properties. The responder publishes it to
 * the default exchange with the request's {@code reply_to} as routing key and sets its {@code correlation_id}
 * to the request's; every other property (content type, headers ...) reaches the requester as given here.
 *
 * <p>Immutable and thread-safe, provided the payload array is not modified after it was handed over (it is
 * not copied).
 */
public final class Reply {
    private final byte[] payload;
    private final Properties properties;

    private Reply(byte[] payload, Properties properties) {
        this.payload = Objects.requireNonNull(payload, "payload");
        this.properties = properties == null ? Properties.EMPTY : properties;
    }

    /** A reply with this body and no properties. */
    public static Reply of(byte[] payload) {
        return new Reply(payload, Properties.EMPTY);
    }

    /** A reply with this body, encoded as UTF-8, and no properties. */
    public static Reply of(String payload) {
        return new Reply(payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY);
    }

    /** A reply with this body and these properties ({@code null} for none). */
    public static Reply of(byte[] payload, Properties properties) {
        return new Reply(payload, properties);
    }

    /** The body; do not modify it. */
    public byte[] payload() {
        return payload;
    }

    /** The properties, {@link Properties#EMPTY} when none were set. */
    public Properties properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "Reply[payload=" + payload.length + " bytes, properties=" + properties + "]";
    }
}
