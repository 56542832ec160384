package io.relais.cli;

import io.relais.client.TlsOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that talk to the broker's HTTP admin API ({@code status}, {@code definitions},
 * {@code connection}): {@code --http URL} and the connection options of {@link ServerOption}, whose user and
 * password authenticate (HTTP Basic) and whose {@code --cacert}, {@code --cert} and {@code --key} are the trust
 * and the client certificate of an {@code https} URL. The URL is {@code --http}, else {@code client.http} of the
 * configuration file, else {@code http://} (or {@code https://} when TLS is on for the protocol: {@code --tls},
 * {@code --cacert}, {@code --cert} or {@code client.tls}) + the host of {@code --server} +
 * {@code :}{@value #DEFAULT_PORT}.
 *
 * <p>Filled in by picocli on the command's thread, then read there.
 */
final class AdminApiOption {
    /** The HTTP admin API's default port (the broker's {@code http.port}). */
    static final int DEFAULT_PORT = 7421;

    @Mixin
    ServerOption server;

    @Option(names = "--http", paramLabel = "URL", description = "The broker's HTTP admin API, http://HOST:PORT or "
            + "https://HOST:PORT (default: client.http of the configuration file, else http://<host of --server>:"
            + DEFAULT_PORT + ", https:// with --tls). With https, --cacert, --cert and --key apply to it.")
    String http;

    /** The API's base URL, without a trailing slash. */
    URI baseUrl() {
        if (http != null) {
            return parseUrl(http);
        }
        URI configured = server.defaults().http();
        if (configured != null) {
            return configured;
        }
        String scheme = server.tlsOptions() != null ? "https" : "http";
        return parseUrl(scheme + "://" + hostOf(server.server()) + ":" + DEFAULT_PORT);
    }

    /** A client for the API with these options; reads the TLS files of an https URL now. */
    AdminApi connect() {
        URI base = baseUrl();
        if (!base.getScheme().equals("https")) {
            return AdminApi.plain(base, server.user(), server.password());
        }
        TlsOptions tls = server.tlsOptions();
        return AdminApi.https(base, server.user(), server.password(), tls != null ? tls : TlsOptions.systemTrust());
    }

    /**
     * Checks and normalises an API URL: http or https, a host, an optional port and path prefix (a reverse
     * proxy's), no query or fragment; a trailing slash is removed.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static URI parseUrl(String text) {
        if (!text.contains("://")) {
            throw new IllegalArgumentException("'" + text + "' is not an http:// or https:// URL");
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + text + "' (" + e.getReason() + ")", e);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("'" + text + "' is not an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no host (expected http://HOST:PORT)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "' must not have a query, fragment or user name "
                    + "(use --user and RELAIS_PASSWORD)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + text + "' (" + e.getReason() + ")", e);
        }
    }

    /** The host of {@code HOST:PORT}, {@code [IPv6]:PORT} (brackets kept, as a URL needs them) or {@code HOST}. */
    static String hostOf(String server) {
        if (server.startsWith("[")) {
            int end = server.indexOf(']');
            return end < 0 ? server : server.substring(0, end + 1);
        }
        int colon = server.lastIndexOf(':');
        if (colon >= 0 && server.indexOf(':') != colon) {
            return "[" + server + "]"; // a bare IPv6 address
        }
        return colon < 0 ? server : server.substring(0, colon);
    }
}
