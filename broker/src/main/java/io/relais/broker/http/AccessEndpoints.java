package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.UserPermission;
import io.relais.broker.core.manage.VhostSnapshot;
import io.relais.broker.security.KeyDerivation;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Virtual hosts, users and permissions, through the {@link io.relais.broker.admin.AdminService} the protocol
 * uses (the same checks, refusals and audit lines, under the protocol's operation names such as
 * {@code VHOST_PUT}): {@code GET /api/vhosts} (the virtual hosts the caller may see), {@code PUT} and
 * {@code DELETE /api/vhosts/{vhost}}; {@code /api/users} and {@code /api/users/{name}} (administrators only;
 * {@code PUT} creates a user, or changes its password and tags, with the new password's SCRAM keys derived
 * on the key-derivation pool, never on an event loop); {@code /api/permissions[/{vhost}]} and
 * {@code PUT}/{@code DELETE /api/permissions/{vhost}/{user}}. Stateless; answers on the event loop, or when the
 * change completes.
 */
final class AccessEndpoints {
    private final ApiContext api;

    AccessEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/vhosts", ApiRouter.Level.USER, "list vhosts", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(vhosts(r.principal()))));
        router.add(HttpMethod.PUT, "/api/vhosts/{vhost}", ApiRouter.Level.ADMIN, "VHOST_PUT", (r, p) ->
                api.admin().createVhost(r.caller(p.get("vhost")), "VHOST_PUT", p.get("vhost"))
                        .thenApply(ApiResponse::createdOrNoContent));
        router.add(HttpMethod.DELETE, "/api/vhosts/{vhost}", ApiRouter.Level.ADMIN, "VHOST_DELETE", (r, p) -> {
            if (api.broker().vhosts().get(p.get("vhost")) == null) {
                throw ApiException.notFound("no virtual host '" + p.get("vhost") + "'");
            }
            return api.admin().deleteVhost(r.caller(p.get("vhost")), "VHOST_DELETE", p.get("vhost"))
                    .thenApply(done -> ApiResponse.noContent());
        });
        router.add(HttpMethod.GET, "/api/users", ApiRouter.Level.ADMIN, "USER_LIST", (r, p) -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (User u : api.admin().users(r.caller(ApiContext.defaultVhost()), "USER_LIST")) {
                out.add(user(u));
            }
            return CompletableFuture.completedFuture(ApiResponse.ok(out));
        });
        router.add(HttpMethod.GET, "/api/users/{name}", ApiRouter.Level.ADMIN, "USER_LIST", (r, p) -> {
            api.admin().requireUserAdministrator(r.caller(ApiContext.defaultVhost()), "USER_LIST", p.get("name"),
                    true);
            User u = api.users().user(p.get("name")).filter(x -> !UserDatabase.internal(x.name())).orElseThrow(() -> ApiException.notFound("no user '" + p.get("name") + "'"));
            return CompletableFuture.completedFuture(ApiResponse.ok(user(u)));
        });
        router.add(HttpMethod.PUT, "/api/users/{name}", ApiRouter.Level.ADMIN, "USER_PUT", this::putUser);
        router.add(HttpMethod.DELETE, "/api/users/{name}", ApiRouter.Level.ADMIN, "USER_DELETE", (r, p) ->
                api.admin().deleteUser(r.caller(ApiContext.defaultVhost()), "USER_DELETE", p.get("name"))
                        .thenApply(u -> ApiResponse.noContent()));
        router.add(HttpMethod.GET, "/api/permissions", ApiRouter.Level.ADMIN, "PERMISSIONS_LIST", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(permissions(r, null))));
        router.add(HttpMethod.GET, "/api/permissions/{vhost}", ApiRouter.Level.ADMIN, "PERMISSIONS_LIST", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(permissions(r, p.get("vhost")))));
        router.add(HttpMethod.PUT, "/api/permissions/{vhost}/{user}", ApiRouter.Level.ADMIN, "PERMISSIONS_SET",
                (r, p) -> {
                    JsonNode b = Json.object(r.body());
                    return api.admin().setPermission(r.caller(p.get("vhost")), "PERMISSIONS_SET", p.get("user"),
                            p.get("vhost"), Json.text(b, "configure", ""), Json.text(b, "write", ""),
                            Json.text(b, "read", ""), Json.text(b, "topic_write", ""), Json.text(b, "topic_read", ""))
                            .thenApply(done -> ApiResponse.noContent());
                });
        router.add(HttpMethod.DELETE, "/api/permissions/{vhost}/{user}", ApiRouter.Level.ADMIN, "PERMISSIONS_CLEAR",
                (r, p) -> api.admin().clearPermission(r.caller(p.get("vhost")), "PERMISSIONS_CLEAR", p.get("user"),
                        p.get("vhost")).thenApply(cleared -> {
                            if (!cleared) {
                                throw ApiException.notFound(Caller.describe(p.get("user")) + " has no permissions in "
                                        + "vhost '" + p.get("vhost") + "'");
                            }
                            return ApiResponse.noContent();
                        }));
    }

    private List<Map<String, Object>> vhosts(Principal who) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VhostSnapshot v : api.broker().view().vhosts()) {
            if (api.sees(who, v.name())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", v.name());
                m.put("queues", v.queues());
                m.put("connections", v.connections());
                out.add(m);
            }
        }
        return out;
    }

    static Map<String, Object> user(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("tags", List.copyOf(u.sortedTags()));
        return m;
    }

    private List<Map<String, Object>> permissions(ApiRequest r, String vhost) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UserPermission e : api.admin().permissions(r.caller(vhost == null ? ApiContext.defaultVhost() : vhost),
                "PERMISSIONS_LIST", vhost)) {
            out.add(permission(e));
        }
        return out;
    }

    static Map<String, Object> permission(UserPermission e) {
        Permission q = e.permission();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", e.user());
        m.put("vhost", e.vhost());
        m.put("configure", q.configure());
        m.put("write", q.write());
        m.put("read", q.read());
        m.put("topic_write", q.topicWrite());
        m.put("topic_read", q.topicRead());
        return m;
    }

    private CompletableFuture<ApiResponse> putUser(ApiRequest r, Map<String, String> p) {
        String name = p.get("name");
        Caller caller = r.caller(ApiContext.defaultVhost());
        api.admin().requireUserAdministrator(caller, "USER_PUT", name, false);
        JsonNode b = Json.object(r.body());
        String password = Json.text(b, "password", null);
        Set<String> tags = tags(b.get("tags"));
        Optional<User> existing = api.users().user(name);
        if (existing.isEmpty()) {
            if (password == null) {
                throw ApiException.badRequest("a new user needs a 'password'");
            }
            return credential(password).thenCompose(c -> api.admin().createUser(caller, "USER_PUT", name, c,
                    tags == null ? Set.of() : tags)).thenApply(u -> ApiResponse.createdOrNoContent(true));
        }
        CompletableFuture<User> change = CompletableFuture.completedFuture(existing.get());
        if (password != null) {
            change = change.thenCompose(u -> credential(password))
                    .thenCompose(c -> api.admin().setCredential(caller, "USER_PUT", name, c));
        }
        if (tags != null) {
            change = change.thenCompose(u -> api.admin().setTags(caller, "USER_PUT", name, tags));
        }
        return change.thenApply(u -> ApiResponse.noContent());
    }

    private static Set<String> tags(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("'tags' must be a list of strings");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode t : node) {
            if (!t.isTextual()) {
                throw ApiException.badRequest("'tags' must be a list of strings");
            }
            tags.add(t.asText());
        }
        return tags;
    }

    /** The SCRAM keys of {@code password}, derived (PBKDF2) on the key-derivation pool. */
    private CompletableFuture<ScramCredential> credential(String password) {
        if (password.isEmpty()) {
            throw ApiException.badRequest("the password must not be empty");
        }
        byte[] salt = Scram.salt();
        KeyDerivation kdf = api.broker().authenticator().keyDerivation();
        return kdf.saltedPassword(password, salt, Scram.DEFAULT_ITERATIONS).thenApply(salted ->
                new ScramCredential(salt, Scram.DEFAULT_ITERATIONS, Scram.sha256(Scram.clientKey(salted)),
                        Scram.serverKey(salted)));
    }
}
