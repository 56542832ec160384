package io.relais.broker.core.manage;

/**
 * A virtual host as listings show it. Immutable; thread-safe.
 *
 * @param name its name
 * @param queues the queues in it
 * @param connections the connections open in it
 */
public record VhostSnapshot(String name, long queues, long connections) {
}
