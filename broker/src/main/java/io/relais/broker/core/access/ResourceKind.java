package io.relais.broker.core.access;

/** What an access check is about. */
public enum ResourceKind {
    /** An exchange. */
    EXCHANGE,
    /** A queue. */
    QUEUE;

    /** Lower case, for messages. */
    public String word() {
        return this == EXCHANGE ? "exchange" : "queue";
    }
}
