package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A java.net.http client for a broker's HTTP listener, with Basic or Bearer authentication. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: status, body text, body as JSON (null when not JSON), headers. */
    record Answer(int status, String text, JsonNode json, HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final HttpClient client;
    private final String base;
    private final String authorization;

    private Http(HttpClient client, String base, String authorization) {
        this.client = client;
        this.base = base;
        this.authorization = authorization;
    }

    /** Unauthenticated, to http://127.0.0.1:PORT. */
    static Http to(int port) {
        return new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                "http://127.0.0.1:" + port, null);
    }

    /** Unauthenticated, with {@code client}, to {@code base} (such as https://localhost:PORT). */
    static Http to(HttpClient client, String base) {
        return new Http(client, base, null);
    }

    /** This client with HTTP Basic as {@code user}. */
    Http basic(String user, String password) {
        return new Http(client, base, "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** This client with a bearer token. */
    Http bearer(String token) {
        return new Http(client, base, "Bearer " + token);
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer delete(String path) {
        return send("DELETE", path, null);
    }

    Answer put(String path, String json) {
        return send("PUT", path, json);
    }

    Answer post(String path, String json) {
        return send("POST", path, json);
    }

    Answer send(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode node = null;
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.startsWith("application/json") && !r.body().isEmpty()) {
                node = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r.body(), node, r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The builder of a request to {@code path}, with this client's authorization. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }
}
