package io.relais.client;

import io.relais.protocol.ErrorCode;

/**
 * The broker refused an operation to the authenticated user (ACCESS_REFUSED, 1013): for example a user
 * without the {@code administrator} tag administering users. The message names the user and the operation.
 * The connection stays open. Immutable; thread-safe.
 */
public class AccessRefusedException extends RelaisException {
    private static final long serialVersionUID = 1L;

    /** A refusal with the broker's message. */
    public AccessRefusedException(String message) {
        super(ErrorCode.ACCESS_REFUSED, message);
    }
}
