package io.relais.broker.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.RateLimitedLog;
import io.relais.broker.core.Reason;
import io.relais.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failure into the API's JSON error answer, {@code {"error": NAME, "code": N, "message": ...}}, with the
 * protocol's {@link ErrorCode} names and numbers: an {@link ApiException} as it says, a {@link CoreException}
 * by its {@link Reason}, anything else as a logged 500 INTERNAL_ERROR. Stateless; thread-safe.
 */
final class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final RateLimitedLog INTERNAL = RateLimitedLog.every(LOG);

    private ApiErrors() {
    }

    /** The HTTP status and protocol code of a refusal of the core. */
    static ApiException of(CoreException e) {
        Reason r = e.reason();
        HttpResponseStatus status = switch (r) {
            case NOT_FOUND, QUEUE_DELETED -> HttpResponseStatus.NOT_FOUND;
            case PRECONDITION_FAILED, RESOURCE_LOCKED -> HttpResponseStatus.CONFLICT;
            case INVALID_ARGUMENT -> HttpResponseStatus.BAD_REQUEST;
            case ACCESS_REFUSED -> HttpResponseStatus.FORBIDDEN;
            case LIMIT_REACHED, QUEUE_FULL -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case DISK_FULL, STORE_FAILED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
        };
        ErrorCode code = switch (r) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case QUEUE_DELETED -> ErrorCode.QUEUE_DELETED;
            case PRECONDITION_FAILED -> ErrorCode.PRECONDITION_FAILED;
            case RESOURCE_LOCKED -> ErrorCode.RESOURCE_LOCKED;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            case ACCESS_REFUSED -> ErrorCode.ACCESS_REFUSED;
            case LIMIT_REACHED -> ErrorCode.LIMIT_REACHED;
            case QUEUE_FULL -> ErrorCode.QUEUE_FULL;
            case DISK_FULL -> ErrorCode.DISK_FULL;
            case STORE_FAILED -> ErrorCode.STORE_FAILED;
        };
        return new ApiException(status, code, e.getMessage());
    }

    /** The answer to {@code failure}, which a request of {@code what} (method and path) ended with. */
    static ApiResponse answer(Throwable failure, String what) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        ApiException e;
        if (cause instanceof ApiException api) {
            e = api;
        } else if (cause instanceof CoreException core) {
            e = of(core);
        } else {
            INTERNAL.error("HTTP {} failed", what, cause);
            e = new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.INTERNAL_ERROR,
                    "internal error: " + cause);
        }
        ApiResponse response = ApiResponse.json(e.status(), body(e.code(), e.getMessage()));
        return e.challenge() ? response.withHeader("WWW-Authenticate", "Basic realm=\"relais\"") : response;
    }

    /** The JSON error body. */
    static Map<String, Object> body(ErrorCode code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code.name());
        body.put("code", code.code());
        body.put("message", message);
        return body;
    }
}
