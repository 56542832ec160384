package io.relais.broker.core.queue;

import io.relais.broker.core.Names;
import io.relais.broker.core.routing.TopicPattern;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments of a queue declaration, validated.
 *
 * <p>Supported: {@code max-length} (messages), {@code max-length-bytes} (payload bytes),
 * {@code overflow} ({@code block}, {@code drop-head} or {@code reject-publish}; without it, {@code block}
 * for a queue without length limits and {@code drop-head} for one with a limit),
 * {@code flow-max-delay} (milliseconds, for {@code block} queues), {@code message-ttl}
 * (milliseconds), {@code dead-letter-exchange} and {@code dead-letter-routing-key} (strings; messages
 * that are rejected without requeue, expire or are dropped by {@code drop-head} are republished to
 * that exchange, with that routing key or their own). Immutable; thread-safe.
 *
 * @param maxLength most ready messages, {@link #NO_LIMIT} for none (0 holds nothing); for a
 *     {@code block} queue, the ready count at which its publishers are stopped
 * @param maxLengthBytes most ready payload bytes, {@link #NO_LIMIT} for none; for a {@code block}
 *     queue, the ready bytes at which its publishers are stopped
 * @param overflow what happens at the limits
 * @param messageTtlMillis time to live of every message in this queue, 0 for none
 * @param deadLetterExchange where dead messages go, or null to discard them
 * @param deadLetterRoutingKey the routing key they get there, or null to keep their own
 * @param flowMaxDelayMillis for a {@code block} queue with consumers, how long its oldest ready message
 *     may wait before its publishers are stopped; 0 for never, {@link #NO_LIMIT} for the broker's default
 */
public record QueueArguments(long maxLength, long maxLengthBytes, Overflow overflow, long messageTtlMillis,
                             String deadLetterExchange, String deadLetterRoutingKey, long flowMaxDelayMillis) {
    public static final String MAX_LENGTH = "max-length";
    public static final String MAX_LENGTH_BYTES = "max-length-bytes";
    public static final String OVERFLOW = "overflow";
    public static final String MESSAGE_TTL = "message-ttl";
    public static final String DEAD_LETTER_EXCHANGE = "dead-letter-exchange";
    public static final String DEAD_LETTER_ROUTING_KEY = "dead-letter-routing-key";
    public static final String FLOW_MAX_DELAY = "flow-max-delay";
    /** A length limit that is not set. */
    public static final long NO_LIMIT = -1;

    /** No arguments: the defaults. */
    public static final QueueArguments NONE = new QueueArguments(NO_LIMIT, NO_LIMIT, Overflow.BLOCK, 0, null, null,
            NO_LIMIT);

    public QueueArguments {
        Objects.requireNonNull(overflow, "overflow");
    }

    /** A bounded drop-head queue without other arguments. */
    public static QueueArguments maxLength(long maxLength) {
        return new QueueArguments(maxLength, NO_LIMIT, Overflow.DROP_HEAD, 0, null, null, NO_LIMIT);
    }

    /**
     * Validates a declaration's argument map.
     *
     * @throws IllegalArgumentException with a message for the client if a key or value is not allowed
     */
    public static QueueArguments parse(Map<String, Object> args) {
        long maxLength = NO_LIMIT;
        long maxBytes = NO_LIMIT;
        Overflow overflow = null;
        long ttl = 0;
        long maxDelay = NO_LIMIT;
        String dlx = null;
        String dlrk = null;
        for (Map.Entry<String, Object> e : args.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            switch (key) {
                case MAX_LENGTH -> maxLength = notNegative(key, v);
                case MAX_LENGTH_BYTES -> maxBytes = notNegative(key, v);
                case MESSAGE_TTL -> ttl = positive(key, v);
                case FLOW_MAX_DELAY -> maxDelay = notNegative(key, v);
                case OVERFLOW -> {
                    overflow = Overflow.of(v);
                    if (overflow == null) {
                        throw new IllegalArgumentException("queue argument 'overflow' must be 'block', 'drop-head' or "
                                + "'reject-publish', not '" + v + "'");
                    }
                }
                case DEAD_LETTER_EXCHANGE -> dlx = name(key, v, Names.lengthError("queue argument '" + key + "'",
                        string(key, v)));
                case DEAD_LETTER_ROUTING_KEY -> dlrk = name(key, v, TopicPattern.validateRoutingKey(string(key, v)));
                default -> throw new IllegalArgumentException("unknown queue argument '" + key + "'");
            }
        }
        if (dlrk != null && dlx == null) {
            throw new IllegalArgumentException("queue argument 'dead-letter-routing-key' needs 'dead-letter-exchange'");
        }
        if (overflow == null) {
            overflow = defaultOverflow(maxLength, maxBytes);
        }
        if (maxDelay != NO_LIMIT && overflow != Overflow.BLOCK) {
            throw new IllegalArgumentException("queue argument 'flow-max-delay' applies only to overflow 'block', not '"
                    + overflow.argument() + "'");
        }
        return new QueueArguments(maxLength, maxBytes, overflow, ttl, dlx, dlrk, maxDelay);
    }

    /**
     * The policy of a queue declared without {@code overflow}: {@code drop-head} if it has a length
     * limit (as in RabbitMQ, and as before {@code block} existed), else {@code block}.
     */
    static Overflow defaultOverflow(long maxLength, long maxLengthBytes) {
        return maxLength != NO_LIMIT || maxLengthBytes != NO_LIMIT ? Overflow.DROP_HEAD : Overflow.BLOCK;
    }

    /** True for overflow {@code reject-publish}. */
    public boolean rejectPublish() {
        return overflow == Overflow.REJECT_PUBLISH;
    }

    /** True for overflow {@code drop-head}. */
    public boolean dropHead() {
        return overflow == Overflow.DROP_HEAD;
    }

    /** True for overflow {@code block}: publishers are stopped while the queue is congested. */
    public boolean blocks() {
        return overflow == Overflow.BLOCK;
    }

    private static String name(String key, Object v, String error) {
        if (error != null) {
            throw new IllegalArgumentException("queue argument '" + key + "': " + error);
        }
        return (String) v;
    }

    private static long notNegative(String key, Object v) {
        if (!(v instanceof Long n) || n < 0) {
            throw new IllegalArgumentException("queue argument '" + key + "' must be an integer of 0 or more, not '"
                    + v + "'");
        }
        return n;
    }

    private static String string(String key, Object v) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("queue argument '" + key + "' must be a string, not '" + v + "'");
        }
        return s;
    }

    /** True if dead messages are republished rather than discarded. */
    public boolean deadLetters() {
        return deadLetterExchange != null;
    }

    private static long positive(String key, Object v) {
        if (!(v instanceof Long n) || n <= 0) {
            throw new IllegalArgumentException("queue argument '" + key + "' must be a positive integer, not '"
                    + v + "'");
        }
        return n;
    }

    /** The arguments as a declaration would give them: only those that are set; {@link #parse} inverts it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (maxLength != NO_LIMIT) {
            m.put(MAX_LENGTH, maxLength);
        }
        if (maxLengthBytes != NO_LIMIT) {
            m.put(MAX_LENGTH_BYTES, maxLengthBytes);
        }
        if (overflow != defaultOverflow(maxLength, maxLengthBytes)) {
            m.put(OVERFLOW, overflow.argument());
        }
        if (flowMaxDelayMillis != NO_LIMIT) {
            m.put(FLOW_MAX_DELAY, flowMaxDelayMillis);
        }
        if (messageTtlMillis > 0) {
            m.put(MESSAGE_TTL, messageTtlMillis);
        }
        if (deadLetterExchange != null) {
            m.put(DEAD_LETTER_EXCHANGE, deadLetterExchange);
        }
        if (deadLetterRoutingKey != null) {
            m.put(DEAD_LETTER_ROUTING_KEY, deadLetterRoutingKey);
        }
        return m;
    }
}
