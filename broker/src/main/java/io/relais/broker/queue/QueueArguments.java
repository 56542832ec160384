package io.relais.broker.queue;

import java.util.Map;

/**
 * The arguments of a queue declaration, validated.
 *
 * <p>Supported: {@code max-length} (messages), {@code max-length-bytes} (payload bytes),
 * {@code overflow} ({@code drop-head} or {@code reject-publish}) and {@code message-ttl}
 * (milliseconds). The dead-letter arguments are refused until dead-lettering exists, rather than
 * accepted and ignored. Immutable; thread-safe.
 *
 * @param maxLength most ready messages, 0 for no limit
 * @param maxLengthBytes most ready payload bytes, 0 for no limit
 * @param rejectPublish true for overflow {@code reject-publish}, false for {@code drop-head}
 * @param messageTtlMillis time to live of every message in this queue, 0 for none
 */
public record QueueArguments(long maxLength, long maxLengthBytes, boolean rejectPublish, long messageTtlMillis) {
    public static final String MAX_LENGTH = "max-length";
    public static final String MAX_LENGTH_BYTES = "max-length-bytes";
    public static final String OVERFLOW = "overflow";
    public static final String MESSAGE_TTL = "message-ttl";
    public static final String DEAD_LETTER_EXCHANGE = "dead-letter-exchange";
    public static final String DEAD_LETTER_ROUTING_KEY = "dead-letter-routing-key";

    /** No limits. */
    public static final QueueArguments NONE = new QueueArguments(0, 0, false, 0);

    /**
     * Validates a declaration's argument map.
     *
     * @throws IllegalArgumentException with a message for the client if a key or value is not allowed
     */
    public static QueueArguments parse(Map<String, Object> args) {
        long maxLength = 0;
        long maxBytes = 0;
        boolean reject = false;
        long ttl = 0;
        for (Map.Entry<String, Object> e : args.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            switch (key) {
                case MAX_LENGTH -> maxLength = positive(key, v);
                case MAX_LENGTH_BYTES -> maxBytes = positive(key, v);
                case MESSAGE_TTL -> ttl = positive(key, v);
                case OVERFLOW -> {
                    if ("drop-head".equals(v)) {
                        reject = false;
                    } else if ("reject-publish".equals(v)) {
                        reject = true;
                    } else {
                        throw new IllegalArgumentException("queue argument 'overflow' must be 'drop-head' or "
                                + "'reject-publish', not '" + v + "'");
                    }
                }
                case DEAD_LETTER_EXCHANGE, DEAD_LETTER_ROUTING_KEY -> throw new IllegalArgumentException(
                        "queue argument '" + key + "' is not supported by this broker version");
                default -> throw new IllegalArgumentException("unknown queue argument '" + key + "'");
            }
        }
        return new QueueArguments(maxLength, maxBytes, reject, ttl);
    }

    private static long positive(String key, Object v) {
        if (!(v instanceof Long n) || n <= 0) {
            throw new IllegalArgumentException("queue argument '" + key + "' must be a positive integer, not '"
                    + v + "'");
        }
        return n;
    }

    /** The arguments as a map, for redeclare comparison and listings. */
    public boolean sameAs(QueueArguments other) {
        return equals(other);
    }
}
