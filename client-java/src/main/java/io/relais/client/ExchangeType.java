package io.relais.client;

import java.util.Locale;

/**
 * How an exchange routes a message to the queues bound to it.
 *
 * <p>Immutable; thread-safe.
 */
public enum ExchangeType {
    /** Routing keys are words separated by '.'; in patterns {@code *} matches one word, {@code #} zero or more. */
    TOPIC("topic"),
    /** Every bound queue gets every message; the routing key is ignored. */
    FANOUT("fanout"),
    /** A queue gets the message when its binding key equals the routing key. */
    DIRECT("direct");

    private final String wireName;

    ExchangeType(String wireName) {
        this.wireName = wireName;
    }

    /** The name sent on the wire: {@code topic}, {@code fanout} or {@code direct}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name or enum name, ignoring case.
     *
     * @throws IllegalArgumentException if {@code name} is not an exchange type
     */
    public static ExchangeType parse(String name) {
        if (name != null) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            for (ExchangeType t : values()) {
                if (t.wireName.equals(lower)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown exchange type '" + name + "' (expected topic, fanout or direct)");
    }
}
