package io.relais.broker.core.manage;

/**
 * An exchange as the management view shows it. Immutable; thread-safe.
 *
 * @param vhost its virtual host
 * @param name its name; empty for the default exchange
 * @param type {@code topic}, {@code direct} or {@code fanout}
 * @param durable whether it survives a restart
 * @param autoDelete whether it goes with its last binding
 * @param bindings how many bindings it has
 */
public record ExchangeSnapshot(String vhost, String name, String type, boolean durable, boolean autoDelete,
                               long bindings) {
}
