package io.relais.broker.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The queues: list (all visible virtual hosts, or one), show, declare ({@code PUT}), delete (with
 * {@code if_unused} and {@code if_empty}), purge
 * ({@code DELETE .../contents}). Changes go through the vhost's {@link Topology} with the
 * caller's permissions, exactly as the protocol's do: declare and delete need configure, purge read. Stateless;
 * answers on the event loop, or when the topology's change completes.
 */
final class QueueEndpoints {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ApiContext api;

    QueueEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/queues", ApiRouter.Level.USER, "list queues", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(api.visibleVhosts(r.principal())))));
        router.add(HttpMethod.GET, "/api/queues/{vhost}", ApiRouter.Level.USER, "list queues", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(List.of(api.vhost(r.principal(),
                        p.get("vhost")))))));
        router.add(HttpMethod.GET, "/api/queues/{vhost}/{name}", ApiRouter.Level.USER, "show a queue", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(json(queue(r, p)))));
        router.add(HttpMethod.PUT, "/api/queues/{vhost}/{name}", ApiRouter.Level.USER, "declare a queue",
                this::declare);
        router.add(HttpMethod.DELETE, "/api/queues/{vhost}/{name}", ApiRouter.Level.USER, "delete a queue", (r, p) -> {
            Topology t = api.vhost(r.principal(), p.get("vhost"));
            return t.deleteQueue(r.caller(t.vhost()), p.get("name"), r.queryFlag("if_unused"), r.queryFlag("if_empty"))
                    .thenApply(n -> ApiResponse.noContent());
        });
        router.add(HttpMethod.DELETE, "/api/queues/{vhost}/{name}/contents", ApiRouter.Level.USER, "purge a queue",
                (r, p) -> {
                    Topology t = api.vhost(r.principal(), p.get("vhost"));
                    return t.purgeQueue(r.caller(t.vhost()), p.get("name"))
                            .thenApply(n -> ApiResponse.ok(Map.of("purged", n)));
                });
    }

    private MessageQueue queue(ApiRequest r, Map<String, String> p) {
        Topology t = api.vhost(r.principal(), p.get("vhost"));
        MessageQueue q = t.queue(p.get("name"));
        if (q == null) {
            throw ApiException.notFound("no queue '" + p.get("name") + "' in vhost '" + t.vhost() + "'");
        }
        return q;
    }

    private CompletableFuture<ApiResponse> declare(ApiRequest r, Map<String, String> p) {
        Topology t = api.vhost(r.principal(), p.get("vhost"));
        String name = p.get("name");
        JsonNode body = Json.object(r.body());
        boolean durable = Json.bool(body, "durable", true);
        boolean autoDelete = Json.bool(body, "auto_delete", false);
        if (Json.bool(body, "exclusive", false)) {
            throw ApiException.badRequest("an exclusive queue belongs to a connection; the HTTP API declares none");
        }
        Map<String, Object> arguments = arguments(body.get("arguments"));
        MessageQueue before = t.queue(name);
        return t.declareQueue(r.caller(t.vhost()), name, durable, false, autoDelete, false, arguments, null)
                .thenCompose(MessageQueue::applyLimits)
                .thenApply(q -> ApiResponse.createdOrNoContent(q != before));
    }

    /** A JSON object of queue arguments as the core takes them (whole numbers as longs). */
    static Map<String, Object> arguments(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("'arguments' must be a JSON object");
        }
        Map<String, Object> raw = Json.MAPPER.convertValue(node, MAP);
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, v instanceof Integer i ? Long.valueOf(i) : v));
        return out;
    }

    private List<Map<String, Object>> list(List<Topology> vhosts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Topology t : vhosts) {
            List<MessageQueue> queues = new ArrayList<>(t.queues());
            queues.sort(Comparator.comparing(MessageQueue::name));
            for (MessageQueue q : queues) {
                out.add(json(q));
            }
        }
        return out;
    }

    Map<String, Object> json(MessageQueue q) {
        RateSampler.Rates rates = api.rates().of(q);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", q.vhost());
        m.put("name", q.name());
        m.put("durable", q.durable());
        m.put("exclusive", q.exclusive());
        m.put("auto_delete", q.autoDelete());
        m.put("messages", q.messageCount());
        m.put("messages_unacked", q.unackedCount());
        m.put("consumers", q.consumerCount());
        m.put("publish_rate", rates.publish());
        m.put("deliver_rate", rates.deliver());
        m.put("arguments", q.arguments().toMap());
        return m;
    }
}
