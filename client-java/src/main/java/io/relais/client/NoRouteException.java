package io.relais.client;

import io.relais.protocol.ErrorCode;

/**
 * A mandatory message that the broker could not route to any queue and gave back (RETURN).
 *
 * <p>{@link RelaisClient#publishConfirmed(Message)} fails with this exception for a mandatory message that
 * matched no queue; a returned message published without confirm is reported to the
 * {@link RelaisClient#onError error listeners}. Immutable; thread-safe.
 */
public class NoRouteException extends RelaisException {
    private static final long serialVersionUID = 1L;

    private final String exchange;
    private final String routingKey;

    /**
     * @param exchange the exchange the message was published to ("" for the default exchange)
     * @param routingKey its routing key
     * @param message the broker's reason
     */
    public NoRouteException(String exchange, String routingKey, String message) {
        super(ErrorCode.NO_ROUTE, message);
        this.exchange = exchange;
        this.routingKey = routingKey;
    }

    /** The exchange the message was published to, "" for the default exchange. */
    public String exchange() {
        return exchange;
    }

    /** The routing key that matched no queue. */
    public String routingKey() {
        return routingKey;
    }
}
