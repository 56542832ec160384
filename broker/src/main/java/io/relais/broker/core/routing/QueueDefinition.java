package io.relais.broker.core.routing;

import java.util.Map;
import java.util.Objects;

/**
 * A durable queue as the definitions store keeps it. Immutable; thread-safe.
 *
 * @param name the queue name
 * @param autoDelete whether the queue is deleted when its last consumer goes
 * @param arguments the declaration's arguments; every value is a {@link Long} or a {@link String}
 */
public record QueueDefinition(String name, boolean autoDelete, Map<String, Object> arguments) {
    /** @throws IllegalArgumentException if an argument value is neither a Long nor a String */
    public QueueDefinition {
        Objects.requireNonNull(name, "name");
        arguments = Map.copyOf(arguments);
        for (Map.Entry<String, Object> e : arguments.entrySet()) {
            if (!(e.getValue() instanceof Long) && !(e.getValue() instanceof String)) {
                throw new IllegalArgumentException("queue '" + name + "' argument '" + e.getKey()
                        + "' is a " + e.getValue().getClass().getSimpleName() + "; only Long and String are stored");
            }
        }
    }
}
