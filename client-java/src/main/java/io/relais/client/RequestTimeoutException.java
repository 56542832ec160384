package io.relais.client;

import java.time.Duration;

/**
 * No reply came to a {@link RelaisClient#request(Message, Duration) request} within its timeout.
 *
 * <p>The request may still have been queued, handled, even answered: a reply that arrives after the timeout
 * is dropped. It carries no protocol error code ({@link #code()} is {@code null}). Immutable; thread-safe.
 */
public class RequestTimeoutException extends RelaisException {
    private static final long serialVersionUID = 1L;

    private final String routingKey;
    private final Duration timeout;

    /**
     * @param routingKey the routing key the request was published with
     * @param timeout how long the requester waited
     */
    public RequestTimeoutException(String routingKey, Duration timeout) {
        super(null, "no reply to '" + routingKey + "' within " + timeout.toMillis() + " ms");
        this.routingKey = routingKey;
        this.timeout = timeout;
    }

    /** The routing key the request was published with. */
    public String routingKey() {
        return routingKey;
    }

    /** How long the requester waited. */
    public Duration timeout() {
        return timeout;
    }
}
