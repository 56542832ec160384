package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ApiRouterTest {
    private static final ApiRouter.Endpoint NONE = (r, p) -> CompletableFuture.completedFuture(ApiResponse.noContent());

    private final ApiRouter router = new ApiRouter()
            .add(HttpMethod.GET, "/api/queues/{vhost}/{name}", ApiRouter.Level.USER, "show", NONE)
            .add(HttpMethod.DELETE, "/api/queues/{vhost}/{name}", ApiRouter.Level.USER, "delete", NONE)
            .add(HttpMethod.GET, "/ui/{*}", ApiRouter.Level.PUBLIC, "ui", NONE);

    @Test
    void shouldMatchTemplatesAndNameTheirParameters() {
        ApiRouter.Match m = router.match(HttpMethod.GET, List.of("api", "queues", "/", "q 1"));
        assertThat(m.route().operation()).isEqualTo("show");
        assertThat(m.params()).isEqualTo(Map.of("vhost", "/", "name", "q 1"));
        assertThat(router.match(HttpMethod.GET, List.of("ui", "css", "a.css")).params()).containsEntry("*", "css/a.css");
        assertThat(router.match(HttpMethod.HEAD, List.of("api", "queues", "/", "q")).route().operation())
                .as("HEAD as GET").isEqualTo("show");
    }

    @Test
    void shouldAnswer404ForAnUnknownPathAnd405WithTheAllowedMethods() {
        assertThatThrownBy(() -> router.match(HttpMethod.GET, List.of("api", "queues", "/")))
                .isInstanceOf(ApiException.class).hasMessageContaining("no such resource");
        assertThatThrownBy(() -> router.match(HttpMethod.PUT, List.of("api", "queues", "/", "q")))
                .isInstanceOfSatisfying(ApiRouter.MethodNotAllowed.class, e -> {
                    assertThat(e.allow()).isEqualTo("DELETE, GET");
                    assertThat(e.status().code()).isEqualTo(405);
                });
    }

    @Test
    void shouldDecodePathSegmentsAndRefuseBadEncodings() {
        assertThat(HttpConnection.segments("/api/queues/%2F/a%20b+c")).containsExactly("api", "queues", "/", "a b+c");
        assertThat(HttpConnection.segments("/")).isEmpty();
        assertThat(HttpConnection.segments("/api/%zz")).isNull();
    }

    @Test
    void shouldDescribeEveryRouteInTheOpenApiDocument() throws IOException {
        JsonNode doc;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(StaticFiles.OPENAPI)) {
            assertThat(in).as("the OpenAPI resource").isNotNull();
            doc = Http.JSON.readTree(in);
        }
        assertThat(doc.get("openapi").asText()).startsWith("3.0");
        ApiContext api = new ApiContext(null, null, null, null, null, null, null, "test");
        ApiRouter all = HttpServer.routes(api, null, null, false);
        int described = 0;
        for (ApiRouter.Route r : all.routes()) {
            String path = "/" + String.join("/", r.template()).replace("{*}", "{path}");
            JsonNode item = doc.get("paths").get(path);
            assertThat(item).as("path " + path).isNotNull();
            assertThat(item.get(r.method().name().toLowerCase(Locale.ROOT))).as(r.method() + " " + path)
                    .isNotNull();
            described++;
        }
        int operations = 0;
        for (JsonNode item : doc.get("paths")) {
            operations += item.size();
        }
        assertThat(operations).as("no operation the server does not have").isEqualTo(described);
    }
}
