package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.UserPermission;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Binding;
import io.relais.broker.core.routing.Exchange;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The definitions as one JSON document, for administrators: {@code GET /api/definitions} exports the virtual
 * hosts, users (with their SCRAM credential: salt, iterations, stored and server key in base64, never a
 * password), permissions, exchanges, queues (not exclusive ones, nor the broker's own {@code relais.*}) and
 * bindings; {@code POST /api/definitions} imports such a document additively, in that order: what is missing
 * is created, what exists with the same properties is left alone, and what exists with other properties is
 * left unchanged and named in the answer, a 409 PRECONDITION_FAILED once everything else was imported (204
 * when nothing conflicted). Virtual hosts, users and permissions are changed through the
 * {@link io.relais.broker.admin.AdminService}, audited with the administrator's name; exchanges, queues and
 * bindings are declared as the broker's internal user {@value #IMPORTER} (an import may fill a virtual host
 * in which the administrator holds no permission), each durable one audited as such, and the import itself
 * is one audit line naming the administrator. Stateless; the import's steps run one after the other on the
 * threads of the parts they change.
 */
final class DefinitionsEndpoints {
    /** The internal user an import declares exchanges, queues and bindings as. */
    static final String IMPORTER = UserDatabase.RESERVED_PREFIX + "definitions";
    /** Conflicts named in a 409 at most (the rest are counted). */
    static final int MAX_NAMED_CONFLICTS = 20;

    private final ApiContext api;

    DefinitionsEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/definitions", ApiRouter.Level.ADMIN, "export definitions", (r, p) -> {
            api.admin().requireAdministrator(r.caller(Names.DEFAULT_VHOST), "export definitions");
            return CompletableFuture.completedFuture(ApiResponse.ok(export()));
        });
        router.add(HttpMethod.POST, "/api/definitions", ApiRouter.Level.ADMIN, "import definitions", this::load);
    }

    // ------------------------------------------------------------------ export

    private Map<String, Object> export() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("relais_version", api.version());
        List<Map<String, Object>> vhosts = new ArrayList<>();
        List<Map<String, Object>> exchanges = new ArrayList<>();
        List<Map<String, Object>> queues = new ArrayList<>();
        List<Map<String, Object>> bindings = new ArrayList<>();
        for (String name : api.broker().vhosts().names()) {
            Topology t = api.broker().vhosts().get(name);
            if (t == null) {
                continue;
            }
            vhosts.add(Map.of("name", name));
            List<Exchange> exs = new ArrayList<>(t.exchanges());
            exs.sort(Comparator.comparing(Exchange::name));
            Set<String> exported = new LinkedHashSet<>();
            exported.add(Topology.DEFAULT_EXCHANGE);
            for (Exchange ex : exs) {
                if (ex.name().isEmpty() || ex.name().startsWith(Names.RESERVED_PREFIX)) {
                    continue;
                }
                exported.add(ex.name());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vhost", name);
                m.put("name", ex.name());
                m.put("type", ex.type());
                m.put("durable", ex.durable());
                m.put("auto_delete", ex.autoDelete());
                exchanges.add(m);
            }
            List<MessageQueue> qs = new ArrayList<>(t.queues());
            qs.sort(Comparator.comparing(MessageQueue::name));
            Set<String> exportedQueues = new LinkedHashSet<>();
            for (MessageQueue q : qs) {
                if (q.exclusive() || q.name().startsWith(Names.RESERVED_PREFIX)) {
                    continue;
                }
                exportedQueues.add(q.name());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vhost", name);
                m.put("name", q.name());
                m.put("durable", q.durable());
                m.put("auto_delete", q.autoDelete());
                m.put("arguments", q.arguments().toMap());
                queues.add(m);
            }
            for (Binding b : api.broker().view().bindings(t)) {
                if (exported.contains(b.exchange()) && exportedQueues.contains(b.queue())) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("vhost", name);
                    m.put("source", b.exchange());
                    m.put("destination", b.queue());
                    m.put("routing_key", b.key());
                    bindings.add(m);
                }
            }
        }
        doc.put("vhosts", vhosts);
        List<Map<String, Object>> users = new ArrayList<>();
        for (User u : api.users().list()) {
            Map<String, Object> m = new LinkedHashMap<>(AccessEndpoints.user(u));
            ScramCredential c = u.credential();
            Map<String, Object> hash = new LinkedHashMap<>();
            hash.put("algorithm", Scram.MECHANISM);
            hash.put("iterations", c.iterations());
            hash.put("salt", Base64.getEncoder().encodeToString(c.salt()));
            hash.put("stored_key", Base64.getEncoder().encodeToString(c.storedKey()));
            hash.put("server_key", Base64.getEncoder().encodeToString(c.serverKey()));
            m.put("password_hash", hash);
            users.add(m);
        }
        doc.put("users", users);
        List<Map<String, Object>> permissions = new ArrayList<>();
        for (UserPermission e : api.broker().permissions().list(null)) {
            if (!UserDatabase.internal(e.user())) {
                permissions.add(AccessEndpoints.permission(e));
            }
        }
        doc.put("permissions", permissions);
        doc.put("exchanges", exchanges);
        doc.put("queues", queues);
        doc.put("bindings", bindings);
        return doc;
    }

    // ------------------------------------------------------------------ import

    private CompletableFuture<ApiResponse> load(ApiRequest r, Map<String, String> p) {
        Caller admin = r.caller(Names.DEFAULT_VHOST);
        api.admin().requireAdministrator(admin, "import definitions");
        JsonNode doc = Json.object(r.body());
        List<JsonNode> vhosts = list(doc, "vhosts");
        List<JsonNode> users = list(doc, "users");
        List<JsonNode> permissions = list(doc, "permissions");
        List<JsonNode> exchanges = list(doc, "exchanges");
        List<JsonNode> queues = list(doc, "queues");
        List<JsonNode> bindings = list(doc, "bindings");
        // The document's shape and every credential are checked before anything changes: a bad one changes nothing.
        checkFields(vhosts, "vhosts", "name");
        checkFields(permissions, "permissions", "user", "vhost");
        checkFields(exchanges, "exchanges", "vhost", "name");
        checkFields(queues, "queues", "vhost", "name");
        checkFields(bindings, "bindings", "vhost", "destination", "routing_key");
        for (JsonNode q : queues) {
            QueueEndpoints.arguments(q.get("arguments"));
        }
        Map<String, ScramCredential> credentials = new LinkedHashMap<>();
        for (JsonNode u : users) {
            credentials.put(required(u, "name", "users"), credential(u));
        }
        List<String> conflicts = new ArrayList<>();
        String remote = "http:" + r.remoteText();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        chain = each(chain, vhosts, conflicts, v -> {
            String name = required(v, "name", "vhosts");
            return api.broker().vhosts().get(name) != null ? null : api.admin().createVhost(admin, "VHOST_PUT", name);
        });
        chain = each(chain, users, conflicts, u -> importUser(admin, u, credentials));
        chain = each(chain, permissions, conflicts, e -> importPermission(admin, e));
        chain = each(chain, exchanges, conflicts, e -> {
            Topology t = topology(e, "exchanges");
            return t.declareExchange(new Caller(IMPORTER, t.vhost(), remote), required(e, "name", "exchanges"),
                    Json.text(e, "type", "topic"), Json.bool(e, "durable", true), Json.bool(e, "auto_delete", false),
                    false);
        });
        chain = each(chain, queues, conflicts, q -> {
            Topology t = topology(q, "queues");
            return t.declareQueue(new Caller(IMPORTER, t.vhost(), remote), required(q, "name", "queues"),
                    Json.bool(q, "durable", true), false, Json.bool(q, "auto_delete", false), false,
                    QueueEndpoints.arguments(q.get("arguments")), null).thenCompose(MessageQueue::applyLimits);
        });
        chain = each(chain, bindings, conflicts, b -> {
            Topology t = topology(b, "bindings");
            return t.bind(new Caller(IMPORTER, t.vhost(), remote), required(b, "destination", "bindings"),
                    Json.text(b, "source", ""), required(b, "routing_key", "bindings"));
        });
        return chain.thenApply(done -> {
            AuditLog.change(admin, "import", "definitions", "").put("vhosts", vhosts.size())
                    .put("users", users.size()).put("permissions", permissions.size())
                    .put("exchanges", exchanges.size()).put("queues", queues.size()).put("bindings", bindings.size())
                    .put("conflicts", conflicts.size()).log();
            if (conflicts.isEmpty()) {
                return ApiResponse.noContent();
            }
            String named = String.join("; ", conflicts.subList(0, Math.min(conflicts.size(), MAX_NAMED_CONFLICTS)));
            String more = conflicts.size() > MAX_NAMED_CONFLICTS ? " (and " + (conflicts.size()
                    - MAX_NAMED_CONFLICTS) + " more)" : "";
            Map<String, Object> body = ApiErrors.body(ErrorCode.PRECONDITION_FAILED, conflicts.size()
                    + " definitions were not imported, everything else was: " + named + more);
            body.put("conflicts", conflicts);
            return ApiResponse.json(HttpResponseStatus.CONFLICT, body);
        });
    }

    /**
     * Runs {@code step} on each item after {@code before}, one at a time; a refusal of the core for an item is
     * noted in {@code conflicts} and the import goes on; a bad document (an {@link ApiException}) ends it.
     */
    private static CompletableFuture<Void> each(CompletableFuture<Void> before, List<JsonNode> items,
                                                List<String> conflicts,
                                                Function<JsonNode, CompletableFuture<?>> step) {
        CompletableFuture<Void> chain = before;
        for (JsonNode item : items) {
            chain = chain.thenCompose(ignored -> {
                CompletableFuture<?> f;
                try {
                    f = step.apply(item);
                } catch (CoreException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                if (f == null) {
                    return CompletableFuture.completedFuture(null);
                }
                return f.handle((ok, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof CoreException e) {
                        synchronized (conflicts) {
                            conflicts.add(e.getMessage());
                        }
                    } else if (cause != null) {
                        throw new CompletionException(cause);
                    }
                    return null;
                });
            });
        }
        return chain;
    }

    private CompletableFuture<?> importUser(Caller admin, JsonNode u, Map<String, ScramCredential> credentials) {
        String name = required(u, "name", "users");
        ScramCredential credential = credentials.get(name);
        Set<String> tags = new LinkedHashSet<>();
        JsonNode t = u.get("tags");
        if (t != null && t.isArray()) {
            for (JsonNode tag : t) {
                tags.add(tag.asText());
            }
        }
        Optional<User> existing = api.users().user(name);
        if (existing.isPresent()) {
            User e = existing.get();
            if (!e.credential().equals(credential) || !e.tags().equals(tags)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "user '" + name + "' exists with another password "
                        + "or other tags");
            }
            return null;
        }
        return api.admin().createUser(admin, "USER_PUT", name, credential, tags);
    }

    private CompletableFuture<?> importPermission(Caller admin, JsonNode e) {
        String user = required(e, "user", "permissions");
        String vhost = required(e, "vhost", "permissions");
        String configure = Json.text(e, "configure", "");
        String write = Json.text(e, "write", "");
        String read = Json.text(e, "read", "");
        String topicWrite = Json.text(e, "topic_write", "");
        String topicRead = Json.text(e, "topic_read", "");
        Permission existing = api.broker().permissions().permission(user, vhost);
        if (existing != null) {
            Permission wanted;
            try {
                wanted = new Permission(configure, write, read, topicWrite, topicRead);
            } catch (IllegalArgumentException x) {
                throw new CoreException(Reason.INVALID_ARGUMENT, "permissions of " + Caller.describe(user)
                        + " in vhost '" + vhost + "': " + x.getMessage());
            }
            if (!existing.equals(wanted)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, Caller.describe(user) + " has other permissions "
                        + "in vhost '" + vhost + "'");
            }
            return null;
        }
        return api.admin().setPermission(admin, "PERMISSIONS_SET", user, vhost, configure, write, read, topicWrite,
                topicRead);
    }

    private Topology topology(JsonNode item, String section) {
        String vhost = required(item, "vhost", section);
        Topology t = api.broker().vhosts().get(vhost);
        if (t == null) {
            throw new CoreException(Reason.NOT_FOUND, "no virtual host '" + vhost + "' for " + section + " entry "
                    + item);
        }
        return t;
    }

    private static List<JsonNode> list(JsonNode doc, String name) {
        JsonNode n = doc.get(name);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiException.badRequest("'" + name + "' must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isObject()) {
                throw ApiException.badRequest("every entry of '" + name + "' must be a JSON object");
            }
            out.add(item);
        }
        return out;
    }

    private static void checkFields(List<JsonNode> items, String section, String... fields) {
        for (JsonNode item : items) {
            for (String f : fields) {
                required(item, f, section);
            }
        }
    }

    private static String required(JsonNode item, String field, String section) {
        String v = Json.text(item, field, null);
        if (v == null) {
            throw ApiException.badRequest("an entry of '" + section + "' has no '" + field + "': " + item);
        }
        return v;
    }

    private static ScramCredential credential(JsonNode u) {
        String name = Json.text(u, "name", "");
        JsonNode h = u.get("password_hash");
        if (h == null || !h.isObject()) {
            throw ApiException.badRequest("user '" + name + "' has no 'password_hash' (salt, iterations, stored_key, "
                    + "server_key)");
        }
        String algorithm = Json.text(h, "algorithm", Scram.MECHANISM);
        if (!algorithm.equals(Scram.MECHANISM)) {
            throw ApiException.badRequest("user '" + name + "': password_hash algorithm must be " + Scram.MECHANISM);
        }
        JsonNode it = h.get("iterations");
        if (it == null || !it.isIntegralNumber() || !it.canConvertToInt()) {
            throw ApiException.badRequest("user '" + name + "': password_hash.iterations must be a whole number");
        }
        try {
            Base64.Decoder d = Base64.getDecoder();
            return new ScramCredential(d.decode(Json.text(h, "salt", "")), it.asInt(),
                    d.decode(Json.text(h, "stored_key", "")), d.decode(Json.text(h, "server_key", "")));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("user '" + name + "': password_hash is not valid: " + e.getMessage());
        }
    }
}
