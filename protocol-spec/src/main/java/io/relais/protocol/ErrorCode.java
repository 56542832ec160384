package io.relais.protocol;

/**
 * The error catalogue: stable numeric codes, split by consequence.
 *
 * <p>Codes 1000-1999 answer one request (ERROR, a negative CONFIRM, RETURN or CANCELLED) and leave
 * the connection open. Codes 2000-2999 are sent in an ERROR frame with request id 0, after which
 * the sender closes the connection; the exception is {@link #SERVER_SHUTDOWN}, which the server
 * sends in a graceful CLOSE. A code, once published, is never reused for another meaning;
 * a retired code stays in this enum, marked deprecated.
 *
 * <p>Immutable; thread-safe.
 */
public enum ErrorCode {
    /** A mandatory publish matched no queue; sent in RETURN. */
    NO_ROUTE(1001, "no queue is bound for this routing key"),
    /** The named exchange, queue or subscription does not exist. */
    NOT_FOUND(1002, "not found"),
    /** A redeclare with other properties, a delete with if-unused/if-empty that failed, a reserved name. */
    PRECONDITION_FAILED(1003, "precondition failed"),
    /** The queue is exclusive to another connection, or has an exclusive consumer. */
    RESOURCE_LOCKED(1004, "resource locked"),
    /** A well-formed frame carries a value that is not allowed: bad name, pattern, type or argument. */
    INVALID_ARGUMENT(1005, "invalid argument"),
    /** A queue with overflow reject-publish is full; sent in a negative CONFIRM. */
    QUEUE_FULL(1006, "queue full"),
    /** The broker is below its free-disk threshold and refuses persistent messages. */
    DISK_FULL(1007, "disk full"),
    /** A persistent message could not be stored. */
    STORE_FAILED(1008, "message could not be stored"),
    /** ACK, NACK or REJECT named a delivery tag that is not outstanding. */
    UNKNOWN_DELIVERY_TAG(1009, "unknown delivery tag"),
    /** SUBSCRIBE used a subscription id that is already active on this connection. */
    SUBSCRIPTION_ID_IN_USE(1010, "subscription id in use"),
    /** The server ended a subscription because its queue was deleted. */
    QUEUE_DELETED(1011, "queue deleted"),
    /**
     * The server ended a subscription because one of its manual-ack deliveries was not settled within the
     * server's consumer timeout; the subscription's outstanding deliveries were requeued. Sent in CANCELLED.
     */
    CONSUMER_TIMEOUT(1012, "consumer timeout"),
    /**
     * The authenticated user may not do this: a user without the administrator tag administering users, or a
     * permission the user lacks. The message names the user and the operation.
     */
    ACCESS_REFUSED(1013, "access refused"),
    /**
     * A server limit refused the request: the vhost holds {@code limits.max-queues-per-vhost} queues
     * (QUEUE_DECLARE), or the connection holds {@code limits.max-subscriptions-per-connection}
     * subscriptions (SUBSCRIBE). The message names the limit and its value.
     */
    LIMIT_REACHED(1014, "limit reached"),

    /** The bytes do not form a valid frame: bad MessagePack, wrong field types, trailing bytes. */
    MALFORMED_FRAME(2001, "malformed frame"),
    /** The length prefix exceeds the maximum frame size, or is zero. */
    FRAME_TOO_LARGE(2002, "frame too large"),
    /** The frame type id is not one this version defines. */
    UNKNOWN_FRAME_TYPE(2003, "unknown frame type"),
    /** The frame is not legal in the connection's current state or for this sender. */
    UNEXPECTED_FRAME(2004, "unexpected frame"),
    /** Client and server share no protocol version. */
    UNSUPPORTED_VERSION(2005, "unsupported protocol version"),
    /** The credentials were refused or the mechanism is not offered. */
    AUTHENTICATION_FAILED(2006, "authentication failed"),
    /** Nothing was received for two heartbeat intervals. */
    HEARTBEAT_TIMEOUT(2007, "heartbeat timeout"),
    /** The handshake did not complete within the server's handshake timeout. */
    HANDSHAKE_TIMEOUT(2008, "handshake timeout"),
    /** The server is shutting down. */
    SERVER_SHUTDOWN(2009, "server shutting down"),
    /** An unexpected failure inside the server; the server logs the cause. */
    INTERNAL_ERROR(2010, "internal error"),
    /**
     * A manual-ack delivery was not settled within the server's consumer timeout on a connection without
     * the {@code server-cancel} capability, so the server could not end just that subscription.
     */
    ACK_TIMEOUT(2011, "delivery not acknowledged within the consumer timeout"),
    /** A frame whose first bytes arrived was not received completely within the server's frame timeout. */
    FRAME_TIMEOUT(2012, "frame not completed in time"),
    /** The client did not read: the server's outgoing buffer stayed above its high watermark for the write timeout. */
    WRITE_TIMEOUT(2013, "client not reading"),
    /**
     * The server refused the connection because a connection limit is reached: in all, from the client's
     * address (both before HELLO), of the user or into the vhost (both in answer to AUTH).
     */
    CONNECTION_LIMIT(2014, "connection limit reached");

    private final int code;
    private final String description;

    ErrorCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The numeric code sent on the wire. */
    public int code() {
        return code;
    }

    /** A short human description of the code. */
    public String description() {
        return description;
    }

    /** True when the sender closes the connection after sending this code. */
    public boolean closesConnection() {
        return code >= 2000;
    }

    /**
     * Looks a code up by number.
     *
     * @return the code, or {@code null} if this version does not know it (a newer peer may send
     *     codes this version does not define; treat unknown codes by their range)
     */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
