package io.relais.broker.net;

import io.relais.broker.core.Reason;
import io.relais.protocol.ErrorCode;

/** Maps the core's refusal reasons to the Relais protocol's error codes. Stateless. */
final class Reasons {
    private Reasons() {
    }

    /** The code a client of the Relais protocol gets for {@code reason}. */
    static ErrorCode code(Reason reason) {
        return switch (reason) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case PRECONDITION_FAILED -> ErrorCode.PRECONDITION_FAILED;
            case RESOURCE_LOCKED -> ErrorCode.RESOURCE_LOCKED;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            case QUEUE_FULL -> ErrorCode.QUEUE_FULL;
            case DISK_FULL -> ErrorCode.DISK_FULL;
            case STORE_FAILED -> ErrorCode.STORE_FAILED;
            case QUEUE_DELETED -> ErrorCode.QUEUE_DELETED;
            // Version 1 has no code of its own for a refused permission; PRECONDITION_FAILED is the
            // closest, and the message names who was refused what.
            case ACCESS_REFUSED -> ErrorCode.PRECONDITION_FAILED;
            case LIMIT_REACHED -> ErrorCode.LIMIT_REACHED;
        };
    }
}
