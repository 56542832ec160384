package io.relais.broker.config;

/**
 * Limits that keep one client, user or vhost from taking the whole broker. Zero means no limit.
 * Immutable; thread-safe.
 *
 * @param maxConnections open connections in all
 * @param maxConnectionsPerAddress open connections from one source address
 * @param maxConnectionsPerUser open connections of one user
 * @param maxConnectionsPerVhost open connections into one vhost
 * @param maxQueuesPerVhost queues in one vhost
 * @param maxSubscriptionsPerConnection subscriptions one connection holds at once
 */
public record SecurityLimits(int maxConnections, int maxConnectionsPerAddress, int maxConnectionsPerUser,
                             int maxConnectionsPerVhost, int maxQueuesPerVhost, int maxSubscriptionsPerConnection) {
    /** No limits yet; the security issue sets and documents the defaults. */
    public static final SecurityLimits DEFAULTS = new SecurityLimits(0, 0, 0, 0, 0, 0);
}
