package io.relais.broker.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Serves files from the broker's jar, without authentication: {@code /} is the web UI's
 * {@code io/relais/broker/http/ui/index.html}, {@code /ui/PATH} the UI's other files, {@code /webjars/PATH} the
 * webjars' ({@code META-INF/resources/webjars/PATH}), and {@code /api/openapi.json} the API's description.
 * A file is read once, on the {@code files} thread (never on an event loop), and kept in memory: at most
 * {@value #MAX_FILE_BYTES} bytes a file and {@value #MAX_ENTRIES} paths (found or not), beyond which files
 * are read each time without being kept. Paths with {@code .} or {@code ..} segments, backslashes or NULs are
 * refused (404). Thread-safe: the cache is a concurrent map of futures, so concurrent first reads of a file
 * read it once.
 */
final class StaticFiles {
    static final int MAX_FILE_BYTES = 8 * 1024 * 1024;
    static final int MAX_ENTRIES = 1024;
    static final String UI = "io/relais/broker/http/ui/";
    static final String WEBJARS = "META-INF/resources/webjars/";
    static final String OPENAPI = "io/relais/broker/http/openapi.json";

    /** A file's bytes and type. */
    private record File(byte[] bytes, String type) {
    }

    private final ExecutorService files;
    private final ClassLoader loader = StaticFiles.class.getClassLoader();
    private final Map<String, CompletableFuture<Optional<File>>> cache = new ConcurrentHashMap<>();

    /**
     * @param files the thread files are read on
     */
    StaticFiles(ExecutorService files) {
        this.files = files;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/", ApiRouter.Level.PUBLIC, "web UI", (r, p) -> serve(UI + "index.html",
                "no-cache"));
        router.add(HttpMethod.GET, "/ui/{*}", ApiRouter.Level.PUBLIC, "web UI", (r, p) -> serve(UI,
                r.segments().subList(1, r.segments().size()), "no-cache"));
        router.add(HttpMethod.GET, "/webjars/{*}", ApiRouter.Level.PUBLIC, "webjar", (r, p) -> serve(WEBJARS,
                r.segments().subList(1, r.segments().size()), "public, max-age=86400"));
        router.add(HttpMethod.GET, "/api/openapi.json", ApiRouter.Level.PUBLIC, "OpenAPI document", (r, p) ->
                serve(OPENAPI, "no-cache"));
    }

    private CompletableFuture<ApiResponse> serve(String prefix, List<String> segments, String cacheControl) {
        if (segments.isEmpty()) {
            throw ApiException.notFound("no file named");
        }
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0
                    || s.indexOf('/') >= 0) {
                throw ApiException.notFound("no file '" + String.join("/", segments) + "'");
            }
        }
        return serve(prefix + String.join("/", segments), cacheControl);
    }

    private CompletableFuture<ApiResponse> serve(String resource, String cacheControl) {
        CompletableFuture<Optional<File>> file = cache.get(resource);
        if (file == null) {
            CompletableFuture<Optional<File>> reading = CompletableFuture.supplyAsync(() -> read(resource), files);
            if (cache.size() < MAX_ENTRIES) {
                CompletableFuture<Optional<File>> raced = cache.putIfAbsent(resource, reading);
                file = raced != null ? raced : reading;
            } else {
                file = reading;
            }
        }
        return file.thenApply(f -> f.map(found -> new ApiResponse(HttpResponseStatus.OK, found.type(), found.bytes(),
                Map.of("Cache-Control", cacheControl))).orElseThrow(() -> ApiException.notFound("no file '"
                + resource + "'")));
    }

    /** On the files thread. */
    private Optional<File> read(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IllegalStateException("resource " + resource + " is larger than " + MAX_FILE_BYTES
                        + " bytes");
            }
            return Optional.of(new File(bytes, contentType(resource)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The content type of a file, by its extension. */
    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "html", "htm" -> "text/html; charset=utf-8";
            case "js", "mjs" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "json", "map" -> "application/json; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "gif" -> "image/gif";
            case "ico" -> "image/x-icon";
            case "webp" -> "image/webp";
            case "woff2" -> "font/woff2";
            case "woff" -> "font/woff";
            case "ttf" -> "font/ttf";
            case "txt", "md" -> "text/plain; charset=utf-8";
            default -> "application/octet-stream";
        };
    }
}
