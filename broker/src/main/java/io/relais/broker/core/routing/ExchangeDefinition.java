package io.relais.broker.core.routing;

import java.util.Objects;
import java.util.Set;

/**
 * A durable exchange as the definitions store keeps it. Immutable; thread-safe.
 *
 * @param name the exchange name
 * @param type {@code topic}, {@code direct} or {@code fanout}
 * @param autoDelete whether the exchange is deleted when its last binding goes
 */
public record ExchangeDefinition(String name, String type, boolean autoDelete) {
    private static final Set<String> TYPES = Set.of("topic", "direct", "fanout");

    /** @throws IllegalArgumentException if the type is not one of the three */
    public ExchangeDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("exchange '" + name + "' has type '" + type
                    + "'; it must be topic, direct or fanout");
        }
    }
}
