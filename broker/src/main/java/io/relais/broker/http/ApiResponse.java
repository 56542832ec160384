package io.relais.broker.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: a status, a content type and the body's bytes, with extra headers. Immutable
 * (the body array is not copied: endpoints hand over arrays they no longer touch); thread-safe.
 *
 * @param status the HTTP status
 * @param contentType the body's type; null for no body
 * @param body the body; empty for none
 * @param headers extra response headers
 */
record ApiResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    ApiResponse {
        headers = Map.copyOf(headers);
    }

    /** {@code value} as JSON. */
    static ApiResponse json(HttpResponseStatus status, Object value) {
        return new ApiResponse(status, JSON, Json.write(value), Map.of());
    }

    /** 200 with {@code value} as JSON. */
    static ApiResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    /** 204, no body. */
    static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, null, new byte[0], Map.of());
    }

    /** 201 when {@code created}, else 204. */
    static ApiResponse createdOrNoContent(boolean created) {
        return created ? new ApiResponse(HttpResponseStatus.CREATED, null, new byte[0], Map.of()) : noContent();
    }

    /** This answer with one more header. */
    ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, contentType, body, more);
    }
}
