package io.relais.protocol;

import java.util.Map;

/**
 * The properties of a message, as carried by PUBLISH, DELIVER and RETURN.
 *
 * <p>Every field is optional ({@code null} when absent). On the wire this is a MessagePack array
 * in the order of the record components, with trailing absent fields omitted, so a message without
 * properties costs one byte. Header values are {@code null}, {@link Boolean}, {@link Long},
 * {@link Double}, {@link String} or {@code byte[]}; decoded headers iterate in wire order, and are
 * encoded in the map's iteration order.
 *
 * <p>Properties that a later protocol version appended after the seven of version 1 are kept, as
 * encoded, in {@link #unknown()} and encoded again after the seven, so that a decoded message is
 * forwarded with all its properties (PROTOCOL.md section 1.4). Changing a known property (with
 * {@link #toBuilder()}) keeps them.
 *
 * <p>Immutable when {@code headers} is; thread-safe then.
 *
 * @param contentType MIME type of the payload, e.g. {@code text/plain}
 * @param messageId application message id
 * @param correlationId id that ties a reply to its request
 * @param replyTo routing key on the default exchange to which a reply should be published
 * @param timestamp milliseconds since the Unix epoch, set by the publisher
 * @param expiration time to live of this message in milliseconds, counted from its arrival at a queue
 * @param headers application headers
 * @param unknown the properties after the seventh, which this version does not know; never
 *     {@code null} ({@code null} is taken as {@link UnknownProperties#NONE})
 */
public record Properties(
        String contentType,
        String messageId,
        String correlationId,
        String replyTo,
        Long timestamp,
        Long expiration,
        Map<String, Object> headers,
        UnknownProperties unknown) {

    /** No properties at all. */
    public static final Properties EMPTY = new Properties(null, null, null, null, null, null, null);

    /** Number of fields version 1 defines. */
    public static final int V1_FIELDS = 7;

    /** Takes a {@code null} {@code unknown} as {@link UnknownProperties#NONE}. */
    public Properties {
        unknown = unknown == null ? UnknownProperties.NONE : unknown;
    }

    /**
     * Properties with the seven fields of version 1 and no unknown ones.
     *
     * @param contentType MIME type of the payload
     * @param messageId application message id
     * @param correlationId id that ties a reply to its request
     * @param replyTo routing key on the default exchange to which a reply should be published
     * @param timestamp milliseconds since the Unix epoch
     * @param expiration time to live in milliseconds
     * @param headers application headers
     */
    public Properties(String contentType, String messageId, String correlationId, String replyTo, Long timestamp,
            Long expiration, Map<String, Object> headers) {
        this(contentType, messageId, correlationId, replyTo, timestamp, expiration, headers, UnknownProperties.NONE);
    }

    /** True when no field is set and there are no unknown properties. */
    public boolean isEmpty() {
        return contentType == null && messageId == null && correlationId == null && replyTo == null
                && timestamp == null && expiration == null && headers == null && unknown.isEmpty();
    }

    /**
     * Number of elements of the properties array on the wire: the leading fields up to and including
     * the last one that is set, or all seven plus the unknown ones when there are unknown ones.
     */
    public int presentFields() {
        if (!unknown.isEmpty()) {
            return V1_FIELDS + unknown.count();
        } else if (headers != null) {
            return 7;
        } else if (expiration != null) {
            return 6;
        } else if (timestamp != null) {
            return 5;
        } else if (replyTo != null) {
            return 4;
        } else if (correlationId != null) {
            return 3;
        } else if (messageId != null) {
            return 2;
        } else if (contentType != null) {
            return 1;
        }
        return 0;
    }

    /** A builder starting from these properties. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from no properties. */
    public static Builder builder() {
        return new Builder(EMPTY);
    }

    /** Mutable builder for {@link Properties}; not thread-safe. */
    public static final class Builder {
        private String contentType;
        private String messageId;
        private String correlationId;
        private String replyTo;
        private Long timestamp;
        private Long expiration;
        private Map<String, Object> headers;
        private UnknownProperties unknown;

        private Builder(Properties p) {
            contentType = p.contentType;
            messageId = p.messageId;
            correlationId = p.correlationId;
            replyTo = p.replyTo;
            timestamp = p.timestamp;
            expiration = p.expiration;
            headers = p.headers;
            unknown = p.unknown;
        }

        /** Sets the MIME type of the payload; {@code null} for none. */
        public Builder contentType(String v) {
            contentType = v;
            return this;
        }

        /** Sets the application message id; {@code null} for none. */
        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        /** Sets the id that ties a reply to its request; {@code null} for none. */
        public Builder correlationId(String v) {
            correlationId = v;
            return this;
        }

        /** Sets the routing key a reply should be published to; {@code null} for none. */
        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        /** Sets the publish time in milliseconds since the Unix epoch; {@code null} for none. */
        public Builder timestamp(Long v) {
            timestamp = v;
            return this;
        }

        /** Sets the time to live in milliseconds; {@code null} for none. */
        public Builder expiration(Long v) {
            expiration = v;
            return this;
        }

        /** Sets the application headers; {@code null} for none. */
        public Builder headers(Map<String, Object> v) {
            headers = v;
            return this;
        }

        /** Sets the properties after the seventh; {@code null} for none. */
        public Builder unknown(UnknownProperties v) {
            unknown = v;
            return this;
        }

        /** The properties set so far. */
        public Properties build() {
            return new Properties(contentType, messageId, correlationId, replyTo, timestamp, expiration,
                    headers, unknown);
        }
    }
}
