package io.relais.broker.core;

/**
 * Why the core refused an operation. Protocol-neutral: each front end maps a reason to its own
 * wire code (the Relais front end to {@code ErrorCode}, an MQTT front end to a reason code).
 */
public enum Reason {
    /** The exchange, queue, subscription or binding named does not exist. */
    NOT_FOUND,
    /** The resource exists with other properties, or a condition of the request does not hold. */
    PRECONDITION_FAILED,
    /** The resource belongs to another connection (an exclusive queue or consumer). */
    RESOURCE_LOCKED,
    /** A name, key, pattern, type or argument is not allowed. */
    INVALID_ARGUMENT,
    /** A queue with {@code overflow: reject-publish} is at its limit. */
    QUEUE_FULL,
    /** The disk alarm is raised; persistent messages to durable queues are refused. */
    DISK_FULL,
    /** The message or the definitions could not be written to disk. */
    STORE_FAILED,
    /** The queue was deleted (a consumer of it is cancelled). */
    QUEUE_DELETED,
    /** The principal may not perform this kind of access on this resource. */
    ACCESS_REFUSED,
    /** A limit of the broker (queues in a vhost, subscriptions of a connection) is reached. */
    LIMIT_REACHED
}
