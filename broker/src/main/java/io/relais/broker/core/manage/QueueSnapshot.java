package io.relais.broker.core.manage;

/**
 * A queue as the management view shows it. Immutable; thread-safe.
 *
 * @param vhost its virtual host
 * @param name its name
 * @param durable whether it survives a restart
 * @param exclusive whether it belongs to one connection
 * @param autoDelete whether it goes with its last consumer
 * @param messages messages waiting for delivery
 * @param unacked deliveries not yet acknowledged
 * @param consumers consumers attached
 * @param enqueueRate messages accepted per second since the previous snapshot (0 on the first)
 * @param deliverRate messages delivered per second since the previous snapshot (0 on the first)
 */
public record QueueSnapshot(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                            long messages, long unacked, int consumers, double enqueueRate, double deliverRate) {
}
