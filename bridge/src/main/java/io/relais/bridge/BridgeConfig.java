package io.relais.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The bridge's configuration: where RabbitMQ is and the links. Read from the {@code bridge:} section of a
 * YAML file (the broker's configuration file, or one of its own), or built from command-line options.
 * Immutable; thread-safe.
 *
 * @param amqpUri the RabbitMQ to bridge with: {@code amqp://}, or {@code amqps://} for TLS
 * @param amqpCacert with {@code amqps://}, the PEM file of the CA that signed RabbitMQ's certificate; null for
 *     the JDK's authorities
 * @param links the links, with unique names
 */
public record BridgeConfig(String amqpUri, Path amqpCacert, List<LinkConfig> links) {
    public static final String DEFAULT_AMQP = "amqp://guest:guest@localhost:5672";

    /** A configuration whose RabbitMQ, if {@code amqps://}, is trusted through the JDK's authorities. */
    public BridgeConfig(String amqpUri, List<LinkConfig> links) {
        this(amqpUri, null, links);
    }

    public BridgeConfig {
        links = List.copyOf(links);
        Set<String> names = new HashSet<>();
        for (LinkConfig l : links) {
            if (!names.add(l.name())) {
                throw new IllegalArgumentException("two links are named '" + l.name() + "'");
            }
        }
    }

    /**
     * The {@code bridge:} section of a YAML file, or null if it has none.
     *
     * @throws IllegalArgumentException naming the file and key when something is wrong
     */
    public static BridgeConfig load(Path file) {
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map) || map.get("bridge") == null) {
            return null;
        }
        return fromMap(map.get("bridge"), file.toString());
    }

    /** Parses a {@code bridge:} section (see bridge/README.md); {@code source} names it in errors. */
    public static BridgeConfig fromMap(Object section, String source) {
        Map<?, ?> m = map(section, source + ": bridge");
        checkKeys(m, Set.of("amqp", "amqp-cacert", "links"), source + ": bridge");
        String amqp = m.get("amqp") == null ? DEFAULT_AMQP : string(m.get("amqp"), source + ": bridge.amqp");
        Path cacert = m.get("amqp-cacert") == null ? null
                : Path.of(string(m.get("amqp-cacert"), source + ": bridge.amqp-cacert"));
        List<LinkConfig> links = new ArrayList<>();
        Object list = m.get("links");
        if (list != null) {
            if (!(list instanceof List<?> l)) {
                throw new IllegalArgumentException(source + ": bridge.links must be a list");
            }
            for (int i = 0; i < l.size(); i++) {
                links.add(link(l.get(i), source + ": bridge.links[" + i + "]"));
            }
        }
        try {
            return new BridgeConfig(amqp, cacert, links);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": bridge.links: " + e.getMessage(), e);
        }
    }

    private static LinkConfig link(Object o, String where) {
        Map<?, ?> m = map(o, where);
        checkKeys(m, Set.of("name", "direction", "source", "destination", "delivery", "prefetch", "batch", "durable"),
                where);
        String name = string(m.get("name"), where + ".name");
        Direction direction;
        try {
            direction = Direction.of(string(m.get("direction"), where + ".direction"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".direction: " + e.getMessage(), e);
        }
        Map<?, ?> src = map(m.get("source"), where + ".source");
        checkKeys(src, Set.of("exchange", "pattern", "binding-key", "queue"), where + ".source");
        String queue = src.get("queue") == null ? null : string(src.get("queue"), where + ".source.queue");
        String exchange = src.get("exchange") == null ? null : stringOrEmpty(src.get("exchange"),
                where + ".source.exchange");
        Object p = src.get("pattern") != null ? src.get("pattern") : src.get("binding-key");
        String pattern = p == null ? null : string(p, where + ".source.pattern");
        Map<?, ?> dst = m.get("destination") == null ? Map.of() : map(m.get("destination"), where + ".destination");
        checkKeys(dst, Set.of("exchange", "routing-key"), where + ".destination");
        String destExchange = dst.get("exchange") != null ? stringOrEmpty(dst.get("exchange"),
                where + ".destination.exchange") : direction == Direction.TO_RABBITMQ ? "amq.topic" : "";
        KeyMapping key;
        try {
            key = KeyMapping.parse(dst.get("routing-key") == null ? null : string(dst.get("routing-key"),
                    where + ".destination.routing-key"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".destination.routing-key: " + e.getMessage(), e);
        }
        String delivery = m.get("delivery") == null ? "at-least-once" : string(m.get("delivery"), where + ".delivery");
        if (!delivery.equals("at-least-once") && !delivery.equals("at-most-once")) {
            throw new IllegalArgumentException(where + ".delivery must be at-least-once or at-most-once, not '"
                    + delivery + "'");
        }
        int prefetch = integer(m.get("prefetch"), LinkConfig.DEFAULT_PREFETCH, where + ".prefetch");
        int batch = integer(m.get("batch"), Math.min(LinkConfig.DEFAULT_BATCH, prefetch), where + ".batch");
        boolean durable = m.get("durable") == null || bool(m.get("durable"), where + ".durable");
        try {
            return new LinkConfig(name, direction, exchange, pattern, queue, destExchange, key,
                    delivery.equals("at-least-once"), prefetch, batch, durable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> map(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        return m;
    }

    private static void checkKeys(Map<?, ?> m, Set<String> known, String where) {
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String string(Object o, String where) {
        if (!(o instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException(where + " must be a non-empty string, found '" + o + "'");
        }
        return s;
    }

    private static String stringOrEmpty(Object o, String where) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(where + " must be a string (\"\" for the default exchange), found '"
                    + o + "'");
        }
        return s;
    }

    private static int integer(Object o, int def, String where) {
        if (o == null) {
            return def;
        }
        if (!(o instanceof Integer || o instanceof Long) || ((Number) o).longValue() < 1
                || ((Number) o).longValue() > 100_000) {
            throw new IllegalArgumentException(where + " must be a whole number from 1 to 100000, found '" + o + "'");
        }
        return ((Number) o).intValue();
    }

    private static boolean bool(Object o, String where) {
        if (!(o instanceof Boolean b)) {
            throw new IllegalArgumentException(where + " must be true or false, found '" + o + "'");
        }
        return b;
    }
}
