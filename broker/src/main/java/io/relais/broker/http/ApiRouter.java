package io.relais.broker.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Maps a method and a decoded path to an endpoint: routes are templates such as
 * {@code /api/queues/{vhost}/{name}}, whose {@code {...}} segments match any one segment (percent-decoded, so
 * {@code %2F} is the vhost {@code /}) and a trailing {@code {*}} the rest of the path. A path no template
 * matches is 404 NOT_FOUND; one that matches with another method 405 INVALID_ARGUMENT with {@code Allow}.
 * Built once at start-up, then read-only: thread-safe.
 */
final class ApiRouter {
    /** Who may call an endpoint. */
    enum Level {
        /** Anyone: health checks, static files, the OpenAPI document. */
        PUBLIC,
        /** Any authenticated user; the endpoint checks the rest. */
        USER,
        /** Users tagged monitoring or administrator. */
        MONITOR,
        /** Users tagged administrator. */
        ADMIN
    }

    /** An endpoint: answers a request with the path parameters its template named. */
    @FunctionalInterface
    interface Endpoint {
        /** The answer, now or later; a failure becomes the JSON error answer. */
        CompletableFuture<ApiResponse> handle(ApiRequest request, Map<String, String> params);
    }

    /** A route: method, template split in segments, who may call it, what answers. */
    record Route(HttpMethod method, List<String> template, Level level, String operation, Endpoint endpoint) {
    }

    /** A route matched, with the values of its template's parameters. */
    record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    /**
     * Adds a route.
     *
     * @param operation names the operation in refusals and audit lines, such as {@code list users}
     */
    ApiRouter add(HttpMethod method, String template, Level level, String operation, Endpoint endpoint) {
        List<String> parts = new ArrayList<>();
        for (String s : template.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        routes.add(new Route(method, List.copyOf(parts), level, operation, endpoint));
        return this;
    }

    /** Every route, in the order added. */
    List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method} and {@code segments}.
     *
     * @throws ApiException 404 when no template matches the path, 405 when none with this method does
     */
    Match match(HttpMethod method, List<String> segments) {
        TreeSet<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = params(r.template(), segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method) || (method.equals(HttpMethod.HEAD) && r.method().equals(HttpMethod.GET))) {
                return new Match(r, params);
            }
            allowed.add(r.method().name());
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("no such resource: /" + String.join("/", segments));
        }
        throw new MethodNotAllowed(method, allowed);
    }

    /** The parameters of {@code template} matched against {@code segments}, or null if they do not match. */
    private static Map<String, String> params(List<String> template, List<String> segments) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        for (; i < template.size(); i++) {
            String t = template.get(i);
            if (t.equals("{*}")) {
                params.put("*", String.join("/", segments.subList(i, segments.size())));
                return params;
            }
            if (i >= segments.size()) {
                return null;
            }
            String s = segments.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                params.put(t.substring(1, t.length() - 1), s);
            } else if (!t.equals(s)) {
                return null;
            }
        }
        return i == segments.size() ? params : null;
    }

    /** 405: the path exists with other methods. */
    static final class MethodNotAllowed extends ApiException {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(HttpMethod method, TreeSet<String> allowed) {
            super(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.INVALID_ARGUMENT, method + " is not allowed here; "
                    + "allowed: " + String.join(", ", allowed));
            this.allow = String.join(", ", allowed);
        }

        /** The methods the path allows, for the {@code Allow} header. */
        String allow() {
            return allow;
        }
    }
}
