package io.relais.client;

import io.relais.protocol.ErrorCode;

/**
 * The broker refused an operation because the user's permissions in the virtual host do not allow
 * it, or because it needs the {@code administrator} tag (administering users, virtual hosts and
 * permissions; error 1013 ACCESS_REFUSED, PROTOCOL.md 5.4). The message names the user, the resource
 * and the access. The connection stays open: other operations go on. Immutable; thread-safe.
 */
public class AccessRefusedException extends RelaisException {
    private static final long serialVersionUID = 1L;

    /** A refusal with the broker's message. */
    public AccessRefusedException(String message) {
        super(ErrorCode.ACCESS_REFUSED, message);
    }
}
