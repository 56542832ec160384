package io.relais.broker.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.protocol.ErrorCode;

/**
 * A request the API refuses: the HTTP status, the protocol's error code it stands for, and a message for the
 * caller; {@link ApiErrors} turns it into the JSON error body. Immutable; carries no stack trace.
 */
class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final ErrorCode code;
    /** For a 401: whether to ask for Basic credentials ({@code WWW-Authenticate}). */
    private final boolean challenge;

    ApiException(HttpResponseStatus status, ErrorCode code, String message) {
        this(status, code, message, false);
    }

    ApiException(HttpResponseStatus status, ErrorCode code, String message, boolean challenge) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.challenge = challenge;
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_ARGUMENT, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, ErrorCode.NOT_FOUND, message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(HttpResponseStatus.FORBIDDEN, ErrorCode.ACCESS_REFUSED, message);
    }

    HttpResponseStatus status() {
        return status;
    }

    ErrorCode code() {
        return code;
    }

    boolean challenge() {
        return challenge;
    }
}
