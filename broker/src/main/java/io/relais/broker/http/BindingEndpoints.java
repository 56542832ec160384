package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.broker.core.routing.Binding;
import io.relais.broker.core.routing.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The bindings: list (all visible virtual hosts, or one), bind ({@code POST
 * /api/bindings/{vhost}/e/{exchange}/q/{queue}} with {@code {"routing_key": K}}) and unbind ({@code DELETE} of
 * the same path with {@code ?routing_key=K}), through the vhost's {@link Topology} with the caller's
 * permissions (write on the queue, read on the exchange), as the protocol's BIND and UNBIND. Stateless; answers
 * on the event loop, or when the change completes.
 */
final class BindingEndpoints {
    private final ApiContext api;

    BindingEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/bindings", ApiRouter.Level.USER, "list bindings", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(api.visibleVhosts(r.principal())))));
        router.add(HttpMethod.GET, "/api/bindings/{vhost}", ApiRouter.Level.USER, "list bindings", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(list(List.of(api.vhost(r.principal(),
                        p.get("vhost")))))));
        router.add(HttpMethod.POST, "/api/bindings/{vhost}/e/{exchange}/q/{queue}", ApiRouter.Level.USER, "bind",
                (r, p) -> {
                    Topology t = api.vhost(r.principal(), p.get("vhost"));
                    JsonNode body = Json.object(r.body());
                    String key = Json.text(body, "routing_key", null);
                    if (key == null) {
                        throw ApiException.badRequest("'routing_key' is required");
                    }
                    return t.bind(r.caller(t.vhost()), p.get("queue"), ApiContext.exchangeName(p.get("exchange")), key)
                            .thenApply(done -> new ApiResponse(HttpResponseStatus.CREATED, null, new byte[0],
                                    Map.of()));
                });
        router.add(HttpMethod.DELETE, "/api/bindings/{vhost}/e/{exchange}/q/{queue}", ApiRouter.Level.USER,
                "unbind", (r, p) -> {
                    Topology t = api.vhost(r.principal(), p.get("vhost"));
                    String key = r.query("routing_key");
                    if (key == null) {
                        throw ApiException.badRequest("query parameter 'routing_key' is required");
                    }
                    return t.unbind(r.caller(t.vhost()), p.get("queue"), ApiContext.exchangeName(p.get("exchange")),
                            key).thenApply(done -> ApiResponse.noContent());
                });
    }

    private List<Map<String, Object>> list(List<Topology> vhosts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Topology t : vhosts) {
            for (Binding b : api.broker().view().bindings(t)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vhost", t.vhost());
                m.put("source", b.exchange());
                m.put("destination", b.queue());
                m.put("routing_key", b.key());
                out.add(m);
            }
        }
        return out;
    }
}
