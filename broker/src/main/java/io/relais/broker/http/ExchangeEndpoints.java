package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.core.routing.Exchange;
import io.relais.broker.core.routing.Topology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The exchanges: list (all visible virtual hosts, or one), show, declare ({@code PUT}) and delete (with
 * {@code if_unused}); the default exchange is {@code ""} in JSON and {@code amq.default} in paths. Changes go
 * through the vhost's {@link Topology} with the caller's permissions (configure), as the protocol's do.
 * Stateless; answers on the event loop, or when the change completes.
 */
final class ExchangeEndpoints {
    private final ApiContext api;

    ExchangeEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/exchanges", ApiRouter.Level.USER, "list exchanges", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(api.visibleVhosts(r.principal())))));
        router.add(HttpMethod.GET, "/api/exchanges/{vhost}", ApiRouter.Level.USER, "list exchanges", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(List.of(api.vhost(r.principal(),
                        p.get("vhost")))))));
        router.add(HttpMethod.GET, "/api/exchanges/{vhost}/{name}", ApiRouter.Level.USER, "show an exchange",
                (r, p) -> CompletableFuture.completedFuture(ApiResponse.ok(json(exchange(r, p)))));
        router.add(HttpMethod.PUT, "/api/exchanges/{vhost}/{name}", ApiRouter.Level.USER, "declare an exchange",
                (r, p) -> {
                    Topology t = api.vhost(r.principal(), p.get("vhost"));
                    String name = ApiContext.exchangeName(p.get("name"));
                    JsonNode body = Json.object(r.body());
                    boolean existed = t.exchange(name) != null;
                    return t.declareExchange(r.caller(t.vhost()), name, Json.text(body, "type", "topic"),
                            Json.bool(body, "durable", true), Json.bool(body, "auto_delete", false), false)
                            .thenApply(done -> ApiResponse.createdOrNoContent(!existed));
                });
        router.add(HttpMethod.DELETE, "/api/exchanges/{vhost}/{name}", ApiRouter.Level.USER, "delete an exchange",
                (r, p) -> {
                    Topology t = api.vhost(r.principal(), p.get("vhost"));
                    return t.deleteExchange(r.caller(t.vhost()), ApiContext.exchangeName(p.get("name")),
                            r.queryFlag("if_unused")).thenApply(done -> ApiResponse.noContent());
                });
    }

    /** The exchange the path names, in a vhost the caller sees. */
    Exchange exchange(ApiRequest r, Map<String, String> p) {
        Topology t = api.vhost(r.principal(), p.get("vhost"));
        String name = ApiContext.exchangeName(p.get("name"));
        Exchange ex = t.exchange(name);
        if (ex == null) {
            throw ApiException.notFound("no exchange '" + name + "' in vhost '" + t.vhost() + "'");
        }
        return ex;
    }

    private static List<Map<String, Object>> list(List<Topology> vhosts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Topology t : vhosts) {
            List<Exchange> exchanges = new ArrayList<>(t.exchanges());
            exchanges.sort(Comparator.comparing(Exchange::name));
            for (Exchange ex : exchanges) {
                out.add(json(ex));
            }
        }
        return out;
    }

    static Map<String, Object> json(Exchange ex) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", ex.vhost());
        m.put("name", ex.name());
        m.put("type", ex.type());
        m.put("durable", ex.durable());
        m.put("auto_delete", ex.autoDelete());
        m.put("bindings", ex.bindings().size());
        return m;
    }
}
