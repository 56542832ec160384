package io.relais.broker.config;

/**
 * Limits that keep one client, user or vhost from taking the whole broker. Zero means no limit.
 * The defaults and why they are what they are: {@code config/relais.yaml}, {@code limits:}.
 * Immutable; thread-safe.
 *
 * @param maxConnections open connections in all ({@value BrokerConfig#KEY_MAX_CONNECTIONS})
 * @param maxConnectionsPerAddress open connections from one source address
 *     ({@value BrokerConfig#KEY_MAX_CONNECTIONS_PER_ADDRESS})
 * @param maxConnectionsPerUser open connections of one user ({@value BrokerConfig#KEY_MAX_CONNECTIONS_PER_USER})
 * @param maxConnectionsPerVhost open connections into one vhost ({@value BrokerConfig#KEY_MAX_CONNECTIONS_PER_VHOST})
 * @param maxQueuesPerVhost queues in one vhost ({@value BrokerConfig#KEY_MAX_QUEUES_PER_VHOST})
 * @param maxSubscriptionsPerConnection subscriptions one connection holds at once
 *     ({@value BrokerConfig#KEY_MAX_SUBSCRIPTIONS_PER_CONNECTION})
 */
public record SecurityLimits(int maxConnections, int maxConnectionsPerAddress, int maxConnectionsPerUser,
                             int maxConnectionsPerVhost, int maxQueuesPerVhost, int maxSubscriptionsPerConnection) {
    /** The defaults {@code config/relais.yaml} documents. */
    public static final SecurityLimits DEFAULTS = new SecurityLimits(10_000, 2_000, 5_000, 0, 5_000, 1_000);
    /** No limit at all (for tests that need many connections). */
    public static final SecurityLimits NONE = new SecurityLimits(0, 0, 0, 0, 0, 0);

    public SecurityLimits {
        if (maxConnections < 0 || maxConnectionsPerAddress < 0 || maxConnectionsPerUser < 0
                || maxConnectionsPerVhost < 0 || maxQueuesPerVhost < 0 || maxSubscriptionsPerConnection < 0) {
            throw new IllegalArgumentException("limits must be 0 (none) or more");
        }
    }
}
