package io.relais.cli;

import io.relais.broker.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The {@code client:} section of a configuration file: defaults for the connection options of client commands
 * ({@code server}, {@code user}, {@code tls}, {@code cacert}, {@code cert}, {@code key}, and {@code http}, the
 * broker's HTTP admin API for {@code status}, {@code definitions} and {@code connection}), which the command line
 * overrides. The file is {@code --config}, else {@value #CONFIG_VARIABLE}, else {@code config/relais.yaml} of the
 * Relais directory if it exists; without one (or without the section) every value is absent. No password is read
 * from it: a password belongs in {@code RELAIS_PASSWORD} or a prompt, not in a file others may read.
 *
 * <p>Immutable once loaded.
 *
 * @param file the file read, or null
 * @param server {@code HOST:PORT}, or null
 * @param user a user name, or null
 * @param tls whether to connect over TLS
 * @param cacert the CA file, or null
 * @param cert the client certificate file, or null
 * @param key the client key file, or null
 * @param http the HTTP admin API's base URL ({@code http://HOST:PORT} or {@code https://...}), or null
 */
record ClientDefaults(Path file, String server, String user, boolean tls, Path cacert, Path cert, Path key,
                      URI http) {
    /** The environment variable naming the configuration file. */
    static final String CONFIG_VARIABLE = "RELAIS_CONFIG";
    private static final Set<String> KEYS = Set.of("server", "user", "tls", "cacert", "cert", "key", "http");

    /**
     * Reads the {@code client:} section of {@code explicit} (or the file the environment or the Relais directory
     * names).
     *
     * @throws IllegalArgumentException naming the file and key of a bad value or an unknown key
     */
    static ClientDefaults load(Path explicit, Map<String, String> environment) {
        Path file = explicit;
        if (file == null && environment.get(CONFIG_VARIABLE) != null && !environment.get(CONFIG_VARIABLE).isBlank()) {
            file = Path.of(environment.get(CONFIG_VARIABLE));
        }
        if (file == null) {
            Path home = Path.of(System.getProperty("relais.home", ".")).resolve("config").resolve("relais.yaml");
            if (!Files.isRegularFile(home)) {
                return new ClientDefaults(null, null, null, false, null, null, null, null);
            }
            file = home;
        }
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration file " + file + ": " + e, e);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        Object section = root instanceof Map<?, ?> m ? m.get(ConfigLoader.CLIENT_SECTION) : null;
        if (section == null) {
            return new ClientDefaults(file, null, null, false, null, null, null, null);
        }
        if (!(section instanceof Map<?, ?> client)) {
            throw new IllegalArgumentException(file + ": client must be a mapping (server, user, tls, cacert, cert, key)");
        }
        for (Object k : client.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(file + ": unknown key 'client." + k + "' (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        Object tls = client.get("tls");
        if (tls != null && !(tls instanceof Boolean)) {
            throw new IllegalArgumentException(file + ": client.tls must be true or false, found '" + tls + "'");
        }
        return new ClientDefaults(file, text(client, "server", file), text(client, "user", file),
                Boolean.TRUE.equals(tls), path(client, "cacert", file), path(client, "cert", file),
                path(client, "key", file), http(client, file));
    }

    private static URI http(Map<?, ?> client, Path file) {
        String s = text(client, "http", file);
        try {
            return s == null ? null : AdminApiOption.parseUrl(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": client.http: " + e.getMessage(), e);
        }
    }

    private static String text(Map<?, ?> client, String key, Path file) {
        Object o = client.get(key);
        if (o == null) {
            return null;
        }
        if (!(o instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(file + ": client." + key + " must be a non-empty string, found '" + o + "'");
        }
        return s;
    }

    private static Path path(Map<?, ?> client, String key, Path file) {
        String s = text(client, key, file);
        return s == null ? null : Path.of(s);
    }
}
