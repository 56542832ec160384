package io.relais.client;

import io.relais.protocol.Properties;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A message to publish: exchange, routing key, properties, flags and body.
 *
 * <p>Immutable and thread-safe, provided the payload array is not modified after it was handed to the
 * builder (it is not copied). A message can be published any number of times.
 */
public final class Message {
    private static final byte[] EMPTY = new byte[0];

    private final String exchange;
    private final String routingKey;
    private final Properties properties;
    private final byte[] payload;
    private final boolean persistent;
    private final boolean mandatory;

    private Message(Builder b) {
        this.exchange = b.exchange;
        this.routingKey = b.routingKey;
        this.properties = b.properties;
        this.payload = b.payload;
        this.persistent = b.persistent;
        this.mandatory = b.mandatory;
    }

    /** A message for the default exchange with this routing key and body and no properties. */
    public static Message of(String routingKey, byte[] payload) {
        return builder(routingKey).payload(payload).build();
    }

    /** A builder for a message with this routing key, to the default exchange, with an empty body. */
    public static Builder builder(String routingKey) {
        return new Builder(routingKey);
    }

    /** The exchange, "" for the default (topic) exchange. */
    public String exchange() {
        return exchange;
    }

    public String routingKey() {
        return routingKey;
    }

    /** The properties, {@link Properties#EMPTY} when none were set. */
    public Properties properties() {
        return properties;
    }

    /** The body; do not modify it. */
    public byte[] payload() {
        return payload;
    }

    /** Stored on disk by durable queues. */
    public boolean persistent() {
        return persistent;
    }

    /** Returned to the publisher (RETURN, {@link NoRouteException}) when no queue matches. */
    public boolean mandatory() {
        return mandatory;
    }

    @Override
    public String toString() {
        return "Message[exchange=" + exchange + ", routingKey=" + routingKey + ", properties=" + properties
                + ", payload=" + payload.length + " bytes, persistent=" + persistent + ", mandatory=" + mandatory
                + "]";
    }

    /** Builds a {@link Message}. Not thread-safe. */
    public static final class Builder {
        private String exchange = "";
        private final String routingKey;
        private Properties properties = Properties.EMPTY;
        private byte[] payload = EMPTY;
        private boolean persistent;
        private boolean mandatory;

        private Builder(String routingKey) {
            this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
        }

        /** The exchange; "" (default) for the default topic exchange. */
        public Builder exchange(String exchange) {
            this.exchange = Objects.requireNonNull(exchange, "exchange");
            return this;
        }

        /** The body; the array is not copied. */
        public Builder payload(byte[] payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** The body as UTF-8. */
        public Builder payload(String payload) {
            this.payload = payload.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Builder properties(Properties properties) {
            this.properties = properties == null ? Properties.EMPTY : properties;
            return this;
        }

        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        public Builder mandatory(boolean mandatory) {
            this.mandatory = mandatory;
            return this;
        }

        public Message build() {
            return new Message(this);
        }
    }
}
