package io.relais.broker.config;

import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.store.FsyncPolicy;
import io.relais.broker.store.WriteBehind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a YAML configuration file into a {@link BrokerConfig}. Keys absent from the file keep their
 * defaults; unknown keys and bad values stop start-up with a {@link ConfigException} naming the key.
 *
 * <p>Sizes are bytes as an integer or with a unit ({@code 512KiB}, {@code 16MiB}, {@code 1GiB});
 * durations are milliseconds as an integer or with a unit ({@code 500ms}, {@code 10s}, {@code 2m}).
 *
 * <p>Stateless; thread-safe.
 */
public final class ConfigLoader {
    private static final Set<String> KEYS = Set.of(
            BrokerConfig.KEY_HOST, BrokerConfig.KEY_PORT, BrokerConfig.KEY_IO_THREADS, BrokerConfig.KEY_DATA_DIR,
            BrokerConfig.KEY_MAX_FRAME_SIZE, BrokerConfig.KEY_HANDSHAKE_TIMEOUT, BrokerConfig.KEY_HEARTBEAT,
            BrokerConfig.KEY_WRITE_BUFFER_HIGH, BrokerConfig.KEY_WRITE_BUFFER_LOW,
            BrokerConfig.KEY_MEMORY_HIGH_WATERMARK, BrokerConfig.KEY_DEFAULT_PREFETCH, BrokerConfig.KEY_MAX_BACKLOG,
            BrokerConfig.KEY_SHUTDOWN_GRACE, BrokerConfig.KEY_USERS, BrokerConfig.KEY_ANONYMOUS,
            BrokerConfig.KEY_PLAIN_ON_PLAINTEXT, BrokerConfig.KEY_LOOPBACK_USERS, BrokerConfig.KEY_FAILURE_DELAY,
            BrokerConfig.KEY_FAILURE_DELAY_MAX, BrokerConfig.KEY_FAILURE_TRACKED_ADDRESSES,
            BrokerConfig.KEY_FSYNC, BrokerConfig.KEY_MIN_FREE_DISK, BrokerConfig.KEY_WRITE_BEHIND_DELAY,
            BrokerConfig.KEY_WRITE_BEHIND_MAX_BYTES, BrokerConfig.KEY_FRAME_TIMEOUT,
            BrokerConfig.KEY_FRAME_TIMEOUT_PER_MIB, BrokerConfig.KEY_PARTIAL_FRAME_MEMORY, BrokerConfig.KEY_WRITE_TIMEOUT,
            BrokerConfig.KEY_CONSUMER_TIMEOUT, BrokerConfig.KEY_FLOW_HIGH_MESSAGES, BrokerConfig.KEY_FLOW_HIGH_BYTES,
            BrokerConfig.KEY_FLOW_DURABLE_HIGH_BYTES, BrokerConfig.KEY_FLOW_MAX_DELAY,
            BrokerConfig.KEY_AUDIT_FILE, BrokerConfig.KEY_AUDIT_MAX_FILE_SIZE, BrokerConfig.KEY_AUDIT_MAX_FILES,
            BrokerConfig.KEY_TLS_PORT, BrokerConfig.KEY_TLS_CERTIFICATE, BrokerConfig.KEY_TLS_KEY, BrokerConfig.KEY_TLS_CA,
            BrokerConfig.KEY_TLS_ONLY, BrokerConfig.KEY_TLS_CLIENT_AUTH, BrokerConfig.KEY_TLS_EXTERNAL_USER,
            BrokerConfig.KEY_TLS_PROVIDER, BrokerConfig.KEY_MAX_CONNECTIONS, BrokerConfig.KEY_MAX_CONNECTIONS_PER_ADDRESS,
            BrokerConfig.KEY_MAX_CONNECTIONS_PER_USER, BrokerConfig.KEY_MAX_CONNECTIONS_PER_VHOST,
            BrokerConfig.KEY_MAX_QUEUES_PER_VHOST, BrokerConfig.KEY_MAX_SUBSCRIPTIONS_PER_CONNECTION,
            BrokerConfig.KEY_HTTP_ENABLED, BrokerConfig.KEY_HTTP_HOST, BrokerConfig.KEY_HTTP_PORT,
            BrokerConfig.KEY_HTTP_MAX_BODY, BrokerConfig.KEY_HTTP_TOKEN_LIFETIME, BrokerConfig.KEY_HTTP_METRICS_AUTH,
            BrokerConfig.KEY_HTTP_TLS);
    /** The section client commands read their defaults from (cli's ClientDefaults); the broker ignores it. */
    public static final String CLIENT_SECTION = "client";
    /** The section the bridge reads from the same file; the broker itself ignores it. */
    public static final String BRIDGE_SECTION = "bridge";
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private ConfigLoader() {
    }

    /** Loads {@code file} over the defaults. */
    public static BrokerConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses YAML from {@code in}; {@code source} names it in error messages. */
    public static BrokerConfig parse(InputStream in, String source) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(source).build()).loadFromInputStream(in);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (root != null) {
            if (!(root instanceof Map<?, ?> map)) {
                throw new ConfigException(source + ": the top level must be a mapping of keys to values");
            }
            flatten("", map, flat, source);
        }
        return build(flat, source);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (key.equals(BRIDGE_SECTION) || key.equals(CLIENT_SECTION)) {
                continue; // read by the bridge (relais broker starts it, bridge/README.md) and by client commands
            }
            if (key.equals(BrokerConfig.KEY_USERS)) {
                out.put(key, e.getValue());
            } else if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out, source);
            } else if (!KEYS.contains(key)) {
                throw new ConfigException(source + ": unknown key '" + key + "' (known keys: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    private static BrokerConfig build(Map<String, Object> v, String src) {
        BrokerConfig d = BrokerConfig.defaults();
        String host = string(v, BrokerConfig.KEY_HOST, d.host(), src);
        int port = (int) integer(v, BrokerConfig.KEY_PORT, d.port(), 0, 65535, src);
        int ioThreads = (int) integer(v, BrokerConfig.KEY_IO_THREADS, d.ioThreads(), 0, 1024, src);
        Path dataDir = Path.of(string(v, BrokerConfig.KEY_DATA_DIR, d.dataDir().toString(), src));
        int maxFrame = (int) size(v, BrokerConfig.KEY_MAX_FRAME_SIZE, d.maxFrameSize(), 65536, 1L << 30, src);
        Duration handshake = duration(v, BrokerConfig.KEY_HANDSHAKE_TIMEOUT, d.handshakeTimeout(), false, src);
        Duration heartbeat = duration(v, BrokerConfig.KEY_HEARTBEAT, d.heartbeat(), true, src);
        int high = (int) size(v, BrokerConfig.KEY_WRITE_BUFFER_HIGH, d.writeBufferHigh(), 1024, 1L << 30, src);
        int low = (int) size(v, BrokerConfig.KEY_WRITE_BUFFER_LOW, d.writeBufferLow(), 512, 1L << 30, src);
        if (low >= high) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_WRITE_BUFFER_LOW + " (" + low
                    + ") must be smaller than " + BrokerConfig.KEY_WRITE_BUFFER_HIGH + " (" + high + ")");
        }
        long memory = size(v, BrokerConfig.KEY_MEMORY_HIGH_WATERMARK, d.memoryHighWatermark(), 1L << 20,
                Long.MAX_VALUE, src);
        int prefetch = (int) integer(v, BrokerConfig.KEY_DEFAULT_PREFETCH, d.defaultPrefetch(), 1, 1_000_000, src);
        int backlog = (int) integer(v, BrokerConfig.KEY_MAX_BACKLOG, d.maxBacklog(), 1, 100_000_000, src);
        Duration grace = duration(v, BrokerConfig.KEY_SHUTDOWN_GRACE, d.shutdownGrace(), true, src);
        Map<String, String> users = users(v, d.auth().users(), src);
        boolean anonymous = bool(v, BrokerConfig.KEY_ANONYMOUS, d.auth().anonymous(), src);
        AuthConfig da0 = d.auth();
        Duration failureDelay = duration(v, BrokerConfig.KEY_FAILURE_DELAY, da0.failureDelay(), true, src);
        Duration failureDelayMax = duration(v, BrokerConfig.KEY_FAILURE_DELAY_MAX, da0.failureDelayMax(), true, src);
        if (failureDelayMax.compareTo(failureDelay) < 0) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_FAILURE_DELAY_MAX + " (" + failureDelayMax
                    + ") must not be less than " + BrokerConfig.KEY_FAILURE_DELAY + " (" + failureDelay + ")");
        }
        AuthConfig auth = new AuthConfig(users, anonymous,
                bool(v, BrokerConfig.KEY_PLAIN_ON_PLAINTEXT, da0.plainOnPlaintext(), src),
                strings(v, BrokerConfig.KEY_LOOPBACK_USERS, da0.loopbackUsers(), src), failureDelay, failureDelayMax,
                (int) integer(v, BrokerConfig.KEY_FAILURE_TRACKED_ADDRESSES, da0.failureTrackedAddresses(), 1,
                        10_000_000, src));
        FsyncPolicy fsync = fsync(v, d.fsync(), src);
        long minFreeDisk = size(v, BrokerConfig.KEY_MIN_FREE_DISK, d.minFreeDisk(), 0, Long.MAX_VALUE, src);
        WriteBehind writeBehind = new WriteBehind(
                duration(v, BrokerConfig.KEY_WRITE_BEHIND_DELAY, d.writeBehind().delay(), true, src),
                size(v, BrokerConfig.KEY_WRITE_BEHIND_MAX_BYTES, d.writeBehind().maxBytes(), 0, Long.MAX_VALUE, src));
        Duration frameTimeout = duration(v, BrokerConfig.KEY_FRAME_TIMEOUT, d.frameTimeout(), false, src);
        Duration perMib = duration(v, BrokerConfig.KEY_FRAME_TIMEOUT_PER_MIB, d.frameTimeoutPerMib(), true, src);
        long partialMemory = size(v, BrokerConfig.KEY_PARTIAL_FRAME_MEMORY, d.partialFrameMemory(), 1L << 20,
                Long.MAX_VALUE, src);
        if (partialMemory >= memory / 4 * 3) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_MEMORY_HIGH_WATERMARK + " (" + memory
                    + ") must be more than " + BrokerConfig.KEY_PARTIAL_FRAME_MEMORY + " (" + partialMemory
                    + ") / 0.75, so that the frames being received cannot alone keep the memory alarm raised");
        }
        Duration writeTimeout = duration(v, BrokerConfig.KEY_WRITE_TIMEOUT, d.writeTimeout(), true, src);
        Duration consumerTimeout = duration(v, BrokerConfig.KEY_CONSUMER_TIMEOUT, d.consumerTimeout(), true, src);
        FlowLimits df = d.flow();
        FlowLimits flow = new FlowLimits(
                integer(v, BrokerConfig.KEY_FLOW_HIGH_MESSAGES, df.highMessages(), 1, Long.MAX_VALUE, src),
                size(v, BrokerConfig.KEY_FLOW_HIGH_BYTES, df.memoryHighBytes(), 1, Long.MAX_VALUE, src),
                size(v, BrokerConfig.KEY_FLOW_DURABLE_HIGH_BYTES, df.storedHighBytes(), 1, Long.MAX_VALUE, src),
                duration(v, BrokerConfig.KEY_FLOW_MAX_DELAY, Duration.ofMillis(df.maxDelayMillis()), true, src)
                        .toMillis());
        AuditConfig da = d.audit();
        AuditConfig audit = new AuditConfig(
                Path.of(string(v, BrokerConfig.KEY_AUDIT_FILE, da.file().toString(), src)),
                size(v, BrokerConfig.KEY_AUDIT_MAX_FILE_SIZE, da.maxFileSize(), 4096, Long.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_AUDIT_MAX_FILES, da.maxFiles(), 0, 1000, src));
        TlsConfig tls = tls(v, d.tls(), src);
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrame, handshake, heartbeat, high, low, memory,
                prefetch, backlog, grace, auth, fsync, minFreeDisk, frameTimeout, perMib,
                partialMemory, writeTimeout, consumerTimeout, flow, tls, limits(v, d.securityLimits(), src),
                audit, writeBehind, http(v, d.http(), tls, src));
    }

    private static HttpConfig http(Map<String, Object> v, HttpConfig d, TlsConfig tls, String src) {
        HttpConfig http = new HttpConfig(
                bool(v, BrokerConfig.KEY_HTTP_ENABLED, d.enabled(), src),
                string(v, BrokerConfig.KEY_HTTP_HOST, d.host(), src),
                (int) integer(v, BrokerConfig.KEY_HTTP_PORT, d.port(), 0, 65535, src),
                size(v, BrokerConfig.KEY_HTTP_MAX_BODY, d.maxBody(), 1024, Integer.MAX_VALUE, src),
                duration(v, BrokerConfig.KEY_HTTP_TOKEN_LIFETIME, d.tokenLifetime(), false, src),
                bool(v, BrokerConfig.KEY_HTTP_METRICS_AUTH, d.metricsAuth(), src),
                bool(v, BrokerConfig.KEY_HTTP_TLS, d.tls(), src));
        checkHttp(http, tls, src);
        return http;
    }

    /** HTTPS needs the broker's certificate and key, which come with a TLS listener ({@code tls.port}). */
    public static void checkHttp(HttpConfig http, TlsConfig tls, String src) {
        if (http.enabled() && http.tls() && !tls.enabled()) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_HTTP_TLS + " is true, which uses the certificate "
                    + "and key of " + BrokerConfig.KEY_TLS_CERTIFICATE + " and " + BrokerConfig.KEY_TLS_KEY
                    + ": set " + BrokerConfig.KEY_TLS_PORT + " and those files too");
        }
    }

    private static TlsConfig tls(Map<String, Object> v, TlsConfig d, String src) {
        int port = (int) integer(v, BrokerConfig.KEY_TLS_PORT, d.port(), -1, 65535, src);
        TlsConfig tls = new TlsConfig(port, path(v, BrokerConfig.KEY_TLS_CERTIFICATE, d.certificate(), src),
                path(v, BrokerConfig.KEY_TLS_KEY, d.key(), src), path(v, BrokerConfig.KEY_TLS_CA, d.ca(), src),
                bool(v, BrokerConfig.KEY_TLS_ONLY, d.only(), src),
                word(v, BrokerConfig.KEY_TLS_CLIENT_AUTH, TlsConfig.ClientAuth.values(), TlsConfig.ClientAuth::word,
                        d.clientAuth(), src),
                word(v, BrokerConfig.KEY_TLS_EXTERNAL_USER, TlsConfig.ExternalUser.values(),
                        TlsConfig.ExternalUser::word, d.externalUser(), src),
                word(v, BrokerConfig.KEY_TLS_PROVIDER, TlsConfig.Provider.values(), TlsConfig.Provider::word,
                        d.provider(), src));
        checkTls(tls, src);
        return tls;
    }

    /**
     * The TLS settings hang together: a listener has a certificate and a key, files without a listener are a
     * mistake, TLS-only needs a listener, and a required client certificate needs a CA to check it against.
     */
    public static void checkTls(TlsConfig tls, String src) {
        if (tls.enabled() && (tls.certificate() == null || tls.key() == null)) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_TLS_PORT + " is set, so "
                    + (tls.certificate() == null ? BrokerConfig.KEY_TLS_CERTIFICATE : BrokerConfig.KEY_TLS_KEY)
                    + " is needed too (a PEM file)");
        }
        if (!tls.enabled() && (tls.certificate() != null || tls.key() != null || tls.ca() != null || tls.only())) {
            throw new ConfigException(src + ": TLS settings are given but " + BrokerConfig.KEY_TLS_PORT
                    + " is not: set it to the TLS port");
        }
        if (tls.clientAuth() == TlsConfig.ClientAuth.NEED && tls.enabled() && tls.ca() == null) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_TLS_CLIENT_AUTH + " is need, which needs "
                    + BrokerConfig.KEY_TLS_CA + " to check client certificates against");
        }
    }

    private static SecurityLimits limits(Map<String, Object> v, SecurityLimits d, String src) {
        return new SecurityLimits(
                (int) integer(v, BrokerConfig.KEY_MAX_CONNECTIONS, d.maxConnections(), 0, Integer.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_MAX_CONNECTIONS_PER_ADDRESS, d.maxConnectionsPerAddress(), 0,
                        Integer.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_MAX_CONNECTIONS_PER_USER, d.maxConnectionsPerUser(), 0,
                        Integer.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_MAX_CONNECTIONS_PER_VHOST, d.maxConnectionsPerVhost(), 0,
                        Integer.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_MAX_QUEUES_PER_VHOST, d.maxQueuesPerVhost(), 0, Integer.MAX_VALUE, src),
                (int) integer(v, BrokerConfig.KEY_MAX_SUBSCRIPTIONS_PER_CONNECTION, d.maxSubscriptionsPerConnection(), 0,
                        Integer.MAX_VALUE, src));
    }

    private static Path path(Map<String, Object> v, String key, Path def, String src) {
        return v.get(key) == null ? def : Path.of(string(v, key, null, src));
    }

    private static <E extends Enum<E>> E word(Map<String, Object> v, String key, E[] values, Function<E, String> word,
                                              E def, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        for (E e : values) {
            if (word.apply(e).equals(String.valueOf(o).trim())) {
                return e;
            }
        }
        throw new ConfigException(src + ": " + key + " must be one of "
                + String.join(", ", Arrays.stream(values).map(word).toList()) + ", found '" + o + "'");
    }

    private static FsyncPolicy fsync(Map<String, Object> v, FsyncPolicy def, String src) {
        Object o = v.get(BrokerConfig.KEY_FSYNC);
        if (o == null) {
            return def;
        }
        String[] words = String.valueOf(o).trim().split("\\s+");
        String mode = words[0].toLowerCase(Locale.ROOT);
        boolean interval = mode.equals("interval");
        if ((interval && words.length != 2) || (!interval && words.length != 1)
                || !Set.of("never", "always", "interval").contains(mode)) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_FSYNC
                    + " must be 'never', 'always' or 'interval <duration>' (such as 'interval 1s'), found '" + o + "'");
        }
        if (!interval) {
            return FsyncPolicy.of(mode, Duration.ZERO);
        }
        Duration d = duration(Map.of(BrokerConfig.KEY_FSYNC, words[1]), BrokerConfig.KEY_FSYNC, null, false, src);
        return FsyncPolicy.of(mode, d);
    }

    private static String string(Map<String, Object> v, String key, String def, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        if (!(o instanceof String s) || s.isBlank()) {
            throw new ConfigException(src + ": " + key + " must be a non-empty string, found '" + o + "'");
        }
        return s;
    }

    private static boolean bool(Map<String, Object> v, String key, boolean def, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        if (!(o instanceof Boolean b)) {
            throw new ConfigException(src + ": " + key + " must be true or false, found '" + o + "'");
        }
        return b;
    }

    private static long integer(Map<String, Object> v, String key, long def, long min, long max, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        if (!(o instanceof Integer || o instanceof Long)) {
            throw new ConfigException(src + ": " + key + " must be a whole number, found '" + o + "'");
        }
        return range(((Number) o).longValue(), key, min, max, src);
    }

    private static long range(long n, String key, long min, long max, String src) {
        if (n < min || n > max) {
            throw new ConfigException(src + ": " + key + " must be between " + min + " and " + max + ", found " + n);
        }
        return n;
    }

    static long size(Map<String, Object> v, String key, long def, long min, long max, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        if (o instanceof Integer || o instanceof Long) {
            return range(((Number) o).longValue(), key, min, max, src);
        }
        Matcher m = SIZE.matcher(String.valueOf(o).trim());
        if (!m.matches()) {
            throw new ConfigException(src + ": " + key + " must be a size such as 1048576, 512KiB or 16MiB, found '"
                    + o + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        return range(Math.multiplyExact(n, factor), key, min, max, src);
    }

    static Duration duration(Map<String, Object> v, String key, Duration def, boolean zeroAllowed, String src) {
        Object o = v.get(key);
        if (o == null) {
            return def;
        }
        Duration d;
        if (o instanceof Integer || o instanceof Long) {
            d = Duration.ofMillis(((Number) o).longValue());
        } else {
            Matcher m = DURATION.matcher(String.valueOf(o).trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new ConfigException(src + ": " + key + " must be a duration such as 500ms, 10s or 2m, found '"
                        + o + "'");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            d = switch (unit) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofMillis(n);
            };
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new ConfigException(src + ": " + key + " must be " + (zeroAllowed ? "zero or more" : "more than zero")
                    + ", found '" + o + "'");
        }
        return d;
    }

    private static List<String> strings(Map<String, Object> v, String key, List<String> def, String src) {
        if (!v.containsKey(key)) {
            return def;
        }
        Object o = v.get(key);
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> list) || list.stream().anyMatch(e -> !(e instanceof String s) || s.isEmpty())) {
            throw new ConfigException(src + ": " + key + " must be a list of names, such as [guest], found '" + o + "'");
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static Map<String, String> users(Map<String, Object> v, Map<String, String> def, String src) {
        Object o = v.get(BrokerConfig.KEY_USERS);
        if (o == null) {
            return v.containsKey(BrokerConfig.KEY_USERS) ? Map.of() : def;
        }
        if (!(o instanceof Map<?, ?> map)) {
            throw new ConfigException(src + ": " + BrokerConfig.KEY_USERS
                    + " must be a mapping of user names to passwords");
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name) || name.isEmpty()
                    || !(e.getValue() instanceof String || e.getValue() instanceof Number)) {
                throw new ConfigException(src + ": " + BrokerConfig.KEY_USERS + "." + e.getKey()
                        + " must map a user name to a password string");
            }
            users.put(name, String.valueOf(e.getValue()));
        }
        return users;
    }
}
