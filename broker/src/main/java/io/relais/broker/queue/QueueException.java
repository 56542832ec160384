package io.relais.broker.queue;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;

/** A queue operation refused with a protocol error code (not found, locked). Immutable. */
public final class QueueException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public QueueException(ErrorCode code, String message) {
        super(code, message);
    }
}
