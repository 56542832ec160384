package io.relais.client;

import io.relais.protocol.ErrorCode;

/**
 * The broker refused to log the client in (AUTHENTICATION_FAILED, 2006: unknown user or wrong password, a
 * loopback-only user from another host, PLAIN refused without TLS), or the broker failed to prove it holds the
 * user's credentials (a wrong SCRAM-SHA-256 server signature, no code). The connection is closed; a client
 * does not retry it by itself on the first connect. Immutable; thread-safe.
 */
public class AuthenticationException extends RelaisException {
    private static final long serialVersionUID = 1L;

    /** A refusal by the broker, with its message. */
    public AuthenticationException(String message) {
        super(ErrorCode.AUTHENTICATION_FAILED, message);
    }

    /** A failure found by the client (no code): the server's proof was wrong, or a mechanism is missing. */
    public AuthenticationException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
