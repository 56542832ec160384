package io.relais.broker.core.access;

import java.util.Locale;

/**
 * The kinds of access a permission grants, as RabbitMQ divides them: {@link #CONFIGURE} to declare
 * and delete a resource, {@link #WRITE} to publish to an exchange or bind a queue, {@link #READ} to
 * consume from or purge a queue and to bind from an exchange.
 */
public enum Access {
    /** Declare, delete. */
    CONFIGURE,
    /** Publish to an exchange; be the queue end of a binding. */
    WRITE,
    /** Consume from, purge a queue; be the exchange end of a binding. */
    READ;

    /** Lower case, for messages. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
