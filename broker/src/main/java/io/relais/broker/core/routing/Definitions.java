package io.relais.broker.core.routing;

import java.util.List;

/**
 * Everything durable about the topology: durable exchanges, durable queues and the bindings
 * between them. Lists keep their order. Immutable; thread-safe.
 *
 * @param exchanges the durable exchanges
 * @param queues the durable queues
 * @param bindings the bindings between durable exchanges and durable queues
 */
public record Definitions(List<ExchangeDefinition> exchanges, List<QueueDefinition> queues,
                          List<BindingDefinition> bindings) {
    /** No durable definitions: what a broker starts with on a fresh data directory. */
    public static final Definitions EMPTY = new Definitions(List.of(), List.of(), List.of());

    public Definitions {
        exchanges = List.copyOf(exchanges);
        queues = List.copyOf(queues);
        bindings = List.copyOf(bindings);
    }
}
