package io.relais.broker.core.routing;

/**
 * One binding as the management view shows it. Immutable; thread-safe.
 *
 * @param exchange the exchange's name
 * @param queue the queue's name
 * @param key the binding key (a pattern on topic exchanges)
 */
public record Binding(String exchange, String queue, String key) {
}
