package io.relais.broker.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The health checks, without authentication: {@code GET /health/live} (200 while the process serves HTTP) and
 * {@code GET /health/ready} (200 when the broker listens, has recovered its data directory, and neither the
 * disk nor the memory alarm is raised; 503 otherwise, with the checks that failed). Stateless; answers on the
 * event loop from memory.
 */
final class HealthEndpoints {
    private final ApiContext api;

    HealthEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/health/live", ApiRouter.Level.PUBLIC, "health", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(Map.of("status", "up"))));
        router.add(HttpMethod.GET, "/health/ready", ApiRouter.Level.PUBLIC, "health", (r, p) ->
                CompletableFuture.completedFuture(ready()));
    }

    private ApiResponse ready() {
        boolean listening = api.status().listening();
        boolean recovered = api.status().recovered();
        boolean disk = api.broker().diskAlarm();
        boolean memory = api.broker().memoryAlarm();
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("listening", listening);
        checks.put("recovered", recovered);
        checks.put("disk_alarm", disk);
        checks.put("memory_alarm", memory);
        boolean ready = listening && recovered && !disk && !memory;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not_ready");
        body.put("checks", checks);
        return ApiResponse.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }
}
