package io.relais.broker.core.queue;

/**
 * What a queue does when its ready messages reach its limits (queue argument {@code overflow},
 * PROTOCOL.md 5.2.3). Immutable constants; thread-safe.
 */
public enum Overflow {
    /** The default: publishers into the queue are stopped until it drains (flow control, PROTOCOL.md 7.8). */
    BLOCK("block"),
    /** The oldest ready messages are dropped (and dead-lettered) until the limits hold. */
    DROP_HEAD("drop-head"),
    /** A message that does not fit is refused with QUEUE_FULL. */
    REJECT_PUBLISH("reject-publish");

    private final String argument;

    Overflow(String argument) {
        this.argument = argument;
    }

    /** The value of the {@code overflow} queue argument that names this policy. */
    public String argument() {
        return argument;
    }

    /** The policy an argument value names, or null if it names none. */
    public static Overflow of(Object argument) {
        for (Overflow o : values()) {
            if (o.argument.equals(argument)) {
                return o;
            }
        }
        return null;
    }
}
