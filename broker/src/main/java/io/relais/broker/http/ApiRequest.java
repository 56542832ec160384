package io.relais.broker.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.manage.ConnectionSnapshot;
import io.relais.protocol.ErrorCode;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the endpoints see it: method, the decoded path segments, the query parameters, the
 * headers, the whole body (bounded by {@code http.max-body}), the peer, and once authenticated the
 * {@link Principal}. Owned by the connection's event loop while it is dispatched; the endpoint's future may
 * read it from another thread afterwards, when nothing changes it any more.
 */
final class ApiRequest {
    private final HttpMethod method;
    private final String path;
    private final List<String> segments;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final SocketAddress remote;
    private Principal principal;

    ApiRequest(HttpMethod method, String path, List<String> segments, Map<String, List<String>> query,
               HttpHeaders headers, byte[] body, SocketAddress remote) {
        this.method = method;
        this.path = path;
        this.segments = segments;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.remote = remote;
    }

    HttpMethod method() {
        return method;
    }

    /** The raw path, for messages and logs. */
    String path() {
        return path;
    }

    /** The path's segments, percent-decoded. */
    List<String> segments() {
        return segments;
    }

    HttpHeaders headers() {
        return headers;
    }

    byte[] body() {
        return body;
    }

    /** The first value of query parameter {@code name}, or null. */
    String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Query parameter {@code name} as a boolean: absent is false; {@code true}/{@code false} only. */
    boolean queryFlag(String name) {
        String v = query(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true") || v.isEmpty()) {
            return true;
        }
        throw ApiException.badRequest("query parameter '" + name + "' must be true or false, not '" + v + "'");
    }

    /** The peer's address, {@code IP:PORT}. */
    String remoteText() {
        return ConnectionSnapshot.address(remote);
    }

    /** The peer's address. */
    SocketAddress remote() {
        return remote;
    }

    /** The authenticated caller; only after authentication. */
    Principal principal() {
        if (principal == null) {
            throw new ApiException(HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTHENTICATION_FAILED,
                    "this request needs authentication", true);
        }
        return principal;
    }

    /** True once {@link #authenticated} ran. */
    boolean hasPrincipal() {
        return principal != null;
    }

    void authenticated(Principal who) {
        this.principal = who;
    }

    /**
     * Who the core sees asking: the authenticated user in {@code vhost}, from connection {@code http:ADDRESS},
     * so that permission checks and audit lines read as the protocol's do.
     */
    Caller caller(String vhost) {
        return new Caller(principal().name(), vhost, "http:" + remoteText());
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
