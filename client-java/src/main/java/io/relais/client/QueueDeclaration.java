package io.relais.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link RelaisClient#declareQueue(QueueDeclaration)} asks for: a name (or a server-chosen one), flags
 * and arguments.
 *
 * <p>Immutable: every setter-style method returns a new instance, so an instance can be shared between
 * threads. Example: {@code QueueDeclaration.named("orders").durable(true).argument("max-length", 1000)}.
 * Arguments defined by version 1: {@code message-ttl}, {@code max-length}, {@code max-length-bytes}
 * (integers), {@code overflow} ({@code "drop-head"} or {@code "reject-publish"}),
 * {@code dead-letter-exchange}, {@code dead-letter-routing-key} (strings).
 */
public final class QueueDeclaration {
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final boolean passive;
    private final Map<String, Object> arguments;

    private QueueDeclaration(String name, boolean durable, boolean exclusive, boolean autoDelete, boolean passive,
            Map<String, Object> arguments) {
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.passive = passive;
        this.arguments = arguments;
    }

    /** A queue with this name (1-255 UTF-8 bytes); not durable, not exclusive, not auto-delete. */
    public static QueueDeclaration named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("queue name is empty; use QueueDeclaration.serverNamed()");
        }
        return new QueueDeclaration(name, false, false, false, false, Map.of());
    }

    /** A queue whose name the broker chooses ({@code relais.gen.*}); see {@link DeclaredQueue#name()}. */
    public static QueueDeclaration serverNamed() {
        return new QueueDeclaration("", false, false, false, false, Map.of());
    }

    /** Survives a broker restart. */
    public QueueDeclaration durable(boolean durable) {
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive, arguments);
    }

    /** Used by this connection only, deleted when it closes. */
    public QueueDeclaration exclusive(boolean exclusive) {
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive, arguments);
    }

    /** Deleted when its last consumer goes away (after having had one). */
    public QueueDeclaration autoDelete(boolean autoDelete) {
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive, arguments);
    }

    /** Only check that the queue exists (NOT_FOUND otherwise); the flags are not compared. */
    public QueueDeclaration passive(boolean passive) {
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive, arguments);
    }

    /**
     * Adds or replaces one argument.
     *
     * @param value {@code null}, Boolean, Integer/Long, Float/Double, String or byte[]
     */
    public QueueDeclaration argument(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Map<String, Object> copy = new LinkedHashMap<>(arguments);
        copy.put(key, value);
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive,
                Collections.unmodifiableMap(copy));
    }

    /** Replaces all arguments. */
    public QueueDeclaration arguments(Map<String, Object> arguments) {
        return new QueueDeclaration(name, durable, exclusive, autoDelete, passive,
                Collections.unmodifiableMap(new LinkedHashMap<>(arguments)));
    }

    /** The queue name, "" for a server-named queue. */
    public String name() {
        return name;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public boolean passive() {
        return passive;
    }

    /** The arguments, unmodifiable, in insertion order. */
    public Map<String, Object> arguments() {
        return arguments;
    }

    @Override
    public String toString() {
        return "QueueDeclaration[name=" + name + ", durable=" + durable + ", exclusive=" + exclusive
                + ", autoDelete=" + autoDelete + ", passive=" + passive + ", arguments=" + arguments + "]";
    }
}
