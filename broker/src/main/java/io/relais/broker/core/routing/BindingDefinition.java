package io.relais.broker.core.routing;

import java.util.Objects;

/**
 * A binding between a durable exchange and a durable queue, as the definitions store keeps it.
 * Immutable; thread-safe.
 *
 * @param exchange the exchange name
 * @param queue the queue name
 * @param pattern the binding pattern (routing key for direct, topic pattern for topic, ignored by fanout)
 */
public record BindingDefinition(String exchange, String queue, String pattern) {
    public BindingDefinition {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(pattern, "pattern");
    }
}
