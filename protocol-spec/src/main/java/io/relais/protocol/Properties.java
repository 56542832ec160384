package io.relais.protocol;

import java.util.Map;

/**
 * The properties of a message, as carried by PUBLISH, DELIVER and RETURN.
 *
 * <p>Every field is optional ({@code null} when absent). On the wire this is a MessagePack array
 * in the order of the record components, with trailing absent fields omitted, so a message without
 * properties costs one byte. Header values are {@code null}, {@link Boolean}, {@link Long},
 * {@link Double}, {@link String} or {@code byte[]}.
 *
 * @param contentType MIME type of the payload, e.g. {@code text/plain}
 * @param messageId application message id
 * @param correlationId id that ties a reply to its request
 * @param replyTo routing key on the default exchange to which a reply should be published
 * @param timestamp milliseconds since the Unix epoch, set by the publisher
 * @param expiration time to live of this message in milliseconds, counted from its arrival at a queue
 * @param headers application headers
 *
 * <p>Immutable when {@code headers} is; thread-safe then.
 */
public record Properties(
        String contentType,
        String messageId,
        String correlationId,
        String replyTo,
        Long timestamp,
        Long expiration,
        Map<String, Object> headers) {

    /** No properties at all. */
    public static final Properties EMPTY = new Properties(null, null, null, null, null, null, null);

    /** Number of fields version 1 defines. */
    public static final int V1_FIELDS = 7;

    /** True when no field is set. */
    public boolean isEmpty() {
        return contentType == null && messageId == null && correlationId == null && replyTo == null
                && timestamp == null && expiration == null && headers == null;
    }

    /** Number of leading fields up to and including the last one that is set. */
    public int presentFields() {
        if (headers != null) {
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

        private Builder(Properties p) {
            contentType = p.contentType;
            messageId = p.messageId;
            correlationId = p.correlationId;
            replyTo = p.replyTo;
            timestamp = p.timestamp;
            expiration = p.expiration;
            headers = p.headers;
        }

        public Builder contentType(String v) {
            contentType = v;
            return this;
        }

        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        public Builder correlationId(String v) {
            correlationId = v;
            return this;
        }

        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        public Builder timestamp(Long v) {
            timestamp = v;
            return this;
        }

        public Builder expiration(Long v) {
            expiration = v;
            return this;
        }

        public Builder headers(Map<String, Object> v) {
            headers = v;
            return this;
        }

        public Properties build() {
            return new Properties(contentType, messageId, correlationId, replyTo, timestamp, expiration,
                    headers);
        }
    }
}
