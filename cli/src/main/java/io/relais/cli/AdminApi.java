package io.relais.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.relais.client.TlsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * A client of the broker's HTTP admin API (api.md of issue 13) for one command: JSON requests with HTTP Basic
 * authentication, over {@link HttpClient} (HTTP/1.1; TLS for an https URL with the trust and client certificate
 * of {@link TlsOptions}). An error answer becomes an {@link AdminApiException} with the API's error name, code
 * and message; no listener at the URL becomes an {@link IllegalStateException} that says so. Answers are read up
 * to {@value #MAX_RESPONSE_BYTES} bytes; a longer one is refused, not buffered.
 *
 * <p>Thread-safe (the underlying {@link HttpClient} is); a command uses it from its own thread.
 */
final class AdminApi {
    /** The largest answer read (a definitions export of a big broker fits). */
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    /** JSON for requests and pretty printing; configured once, then only used. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final HttpClient http;
    private final URI base;
    private final String authorization;

    private AdminApi(HttpClient http, URI base, String user, String password) {
        this.http = http;
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A client of {@code http://...} {@code base}. */
    static AdminApi plain(URI base, String user, String password) {
        return new AdminApi(builder().build(), base, user, password);
    }

    /**
     * A client of {@code https://...} {@code base}, trusting and presenting what {@code tls} names (host names
     * verified).
     *
     * @throws IllegalArgumentException naming the TLS files that cannot be used
     */
    static AdminApi https(URI base, String user, String password, TlsOptions tls) {
        return new AdminApi(builder().sslContext(sslContext(tls)).build(), base, user, password);
    }

    private static HttpClient.Builder builder() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
    }

    /** The JDK context of {@code tls}, made by Netty's JDK provider, which reads the PEM files as the client does. */
    private static SSLContext sslContext(TlsOptions tls) {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(TLS_PROTOCOLS);
        try {
            if (tls.caFile() != null) {
                builder.trustManager(tls.caFile().toFile());
            }
            if (tls.hasClientCertificate()) {
                builder.keyManager(tls.certificateFile().toFile(), tls.keyFile().toFile());
            }
            return ((JdkSslContext) builder.build()).context();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS files (CA " + tls.caFile() + ", certificate "
                    + tls.certificateFile() + ", key " + tls.keyFile() + "): " + e.getMessage(), e);
        }
    }

    /** The base URL. */
    URI base() {
        return base;
    }

    /** {@code GET path}: the JSON answer. */
    JsonNode get(String path) throws InterruptedException {
        return send("GET", path, null);
    }

    /**
     * Sends a request with an optional JSON body; returns the JSON answer, or null for an empty one (204).
     *
     * @throws AdminApiException the API's error answer
     * @throws IllegalStateException when the API cannot be reached or does not answer like it
     */
    JsonNode send(String method, String path, JsonNode body) throws InterruptedException {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Authorization", authorization).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no answer within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw unreachable("connection refused", e);
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException(method + " " + uri + ": no answer within " + REQUEST_TIMEOUT.toSeconds()
                    + " s", e);
        } catch (SSLException e) {
            throw new IllegalStateException("TLS with the HTTP admin API at " + base + " failed: " + e.getMessage()
                    + " (--cacert names the CA to trust)", e);
        } catch (InterruptedIOException e) {
            throw new InterruptedException("interrupted: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("cannot talk to the HTTP admin API at " + base + ": " + describe(e)
                    + (base.getScheme().equals("http") ? " (if it uses TLS, give --http https://...)" : ""), e);
        }
        byte[] content = read(response, uri);
        int status = response.statusCode();
        JsonNode json = content.length == 0 ? null : parse(content, response, uri);
        if (status >= 200 && status < 300) {
            return json;
        }
        if (json != null && json.hasNonNull("error")) {
            throw new AdminApiException(status, json.path("error").asText(), json.path("code").asInt(0),
                    json.path("message").asText(json.path("error").asText()));
        }
        throw new IllegalStateException(method + " " + uri + ": HTTP " + status + " without an error document");
    }

    private IllegalStateException unreachable(String why, Exception e) {
        return new IllegalStateException("no HTTP admin API at " + base + " (" + why + "); is the broker running "
                + "with http enabled (--http-port)?", e);
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static byte[] read(HttpResponse<InputStream> response, URI uri) {
        try (InputStream in = response.body()) {
            byte[] content = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (content.length > MAX_RESPONSE_BYTES) {
                throw new IllegalStateException(uri + ": the answer is larger than " + MAX_RESPONSE_BYTES
                        + " bytes; not read");
            }
            return content;
        } catch (IOException e) {
            throw new IllegalStateException(uri + ": the answer broke off: " + describe(e), e);
        }
    }

    private static JsonNode parse(byte[] content, HttpResponse<InputStream> response, URI uri) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            throw new IllegalStateException(uri + " answered HTTP " + response.statusCode() + " with "
                    + (type.isEmpty() ? "no content type" : type) + ", not JSON: is this the broker's HTTP admin API?");
        }
        try {
            return JSON.readTree(content);
        } catch (IOException e) {
            throw new IllegalStateException(uri + " answered JSON that cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the request as JSON: " + e.getMessage(), e);
        }
    }

    /** One path segment, percent-encoded (so the vhost "/" is {@code %2F} and a space {@code %20}). */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
