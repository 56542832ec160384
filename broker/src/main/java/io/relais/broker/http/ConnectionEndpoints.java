package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.manage.ConnectionSnapshot;
import io.relais.broker.net.Session;
import io.relais.broker.audit.AuditLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The connections: {@code GET /api/connections} (all of them for monitoring and administrators, one's own
 * otherwise), {@code GET /api/connections/{id}}, and {@code DELETE /api/connections/{id}} (administrators, or
 * the connection's own user), which closes it: the client gets CLOSE with the reason given in the body
 * ({@code {"reason": ...}}) or the {@code X-Reason} header, and the close is written to the audit log.
 * Stateless; answers on the event loop.
 */
final class ConnectionEndpoints {
    static final int MAX_REASON_CHARS = 200;

    private final ApiContext api;

    ConnectionEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/connections", ApiRouter.Level.USER, "list connections", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(r.principal()))));
        router.add(HttpMethod.GET, "/api/connections/{id}", ApiRouter.Level.USER, "show a connection", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(json(find(r.principal(), p.get("id")).snapshot()))));
        router.add(HttpMethod.DELETE, "/api/connections/{id}", ApiRouter.Level.USER, "close a connection", (r, p) ->
                CompletableFuture.completedFuture(close(r, p.get("id"))));
    }

    private List<Map<String, Object>> list(Principal who) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ConnectionSnapshot c : api.broker().view().connections()) {
            if (who.monitoring() || c.user().equals(who.name())) {
                out.add(json(c));
            }
        }
        return out;
    }

    /** The session {@code id}, which {@code who} may see; 404 otherwise. */
    private Session find(Principal who, String id) {
        for (Session s : api.broker().sessions()) {
            if (s.connectionId().equals(id)) {
                ConnectionSnapshot c = s.snapshot();
                if (who.monitoring() || c.user().equals(who.name())) {
                    return s;
                }
                break;
            }
        }
        throw ApiException.notFound("no connection '" + id + "'");
    }

    private ApiResponse close(ApiRequest r, String id) {
        Principal who = r.principal();
        Session s = find(who, id);
        ConnectionSnapshot c = s.snapshot();
        Caller caller = r.caller(c.vhost());
        if (!who.administrator() && !c.user().equals(who.name())) {
            HttpApi.refuse(r, "close connection", "connection '" + id + "'", Caller.describe(who.name())
                    + " may not close connection '" + id + "' of " + Caller.describe(c.user())
                    + ": only its own user or an administrator may");
        }
        String reason = reason(r);
        s.closeByAdministrator(reason);
        AuditLog.change(caller, "close", "connection", id).put("connection_user", c.user())
                .put("reason", reason).log();
        return ApiResponse.noContent();
    }

    private static String reason(ApiRequest r) {
        String reason = r.headers().get("X-Reason");
        if (r.body().length > 0) {
            JsonNode body = Json.object(r.body());
            reason = Json.text(body, "reason", reason);
        }
        if (reason == null || reason.isBlank()) {
            reason = "closed by an administrator";
        }
        if (reason.length() > MAX_REASON_CHARS) {
            throw ApiException.badRequest("the reason is longer than " + MAX_REASON_CHARS + " characters");
        }
        return reason;
    }

    static Map<String, Object> json(ConnectionSnapshot c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("protocol", c.protocol());
        m.put("remote", c.remote());
        m.put("user", c.user());
        m.put("vhost", c.vhost());
        m.put("client_name", c.clientName());
        m.put("state", c.state());
        m.put("connected_at", c.connectedAtMillis());
        m.put("subscriptions", c.subscriptions());
        m.put("unacked", c.unacked());
        return m;
    }
}
