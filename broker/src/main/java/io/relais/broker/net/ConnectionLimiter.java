package io.relais.broker.net;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.SecurityLimits;
import io.relais.broker.core.access.Caller;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections against {@link SecurityLimits}: in all and per source address when a socket is
 * accepted (before the connection has any handshake state), per user and per vhost once AUTH has named
 * them. Each admission that succeeds is paired with one release when the connection closes. A refusal is a
 * message naming the limit, for ERROR 2014 CONNECTION_LIMIT; an admission that is refused counts nothing.
 *
 * <p>Thread-safe: the global count is one atomic counter and the others are counts in concurrent maps,
 * changed atomically per key; every event loop admits and releases its own connections.
 */
final class ConnectionLimiter {
    private final SecurityLimits limits;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> perVhost = new ConcurrentHashMap<>();

    ConnectionLimiter(SecurityLimits limits) {
        this.limits = limits;
    }

    /** Admits a new socket from {@code address}; null if admitted, else why not. */
    String admit(InetAddress address) {
        int max = limits.maxConnections();
        while (true) {
            int n = total.get();
            if (max > 0 && n >= max) {
                return "the broker is at its limit of connections (" + BrokerConfig.KEY_MAX_CONNECTIONS + ": " + max
                        + ")";
            }
            if (total.compareAndSet(n, n + 1)) {
                break;
            }
        }
        if (!increment(perAddress, address, limits.maxConnectionsPerAddress())) {
            total.decrementAndGet();
            return "address " + address.getHostAddress() + " is at the limit of connections per address ("
                    + BrokerConfig.KEY_MAX_CONNECTIONS_PER_ADDRESS + ": " + limits.maxConnectionsPerAddress() + ")";
        }
        return null;
    }

    /** A socket admitted by {@link #admit} closed. */
    void release(InetAddress address) {
        decrement(perAddress, address);
        total.decrementAndGet();
    }

    /** Admits an authenticated connection of {@code user} into {@code vhost}; null if admitted, else why not. */
    String admitUser(String user, String vhost) {
        if (!increment(perUser, user, limits.maxConnectionsPerUser())) {
            return Caller.describe(user) + " is at the limit of connections per user ("
                    + BrokerConfig.KEY_MAX_CONNECTIONS_PER_USER + ": " + limits.maxConnectionsPerUser() + ")";
        }
        if (!increment(perVhost, vhost, limits.maxConnectionsPerVhost())) {
            decrement(perUser, user);
            return "vhost '" + vhost + "' is at the limit of connections per vhost ("
                    + BrokerConfig.KEY_MAX_CONNECTIONS_PER_VHOST + ": " + limits.maxConnectionsPerVhost() + ")";
        }
        return null;
    }

    /** A connection admitted by {@link #admitUser} closed. */
    void releaseUser(String user, String vhost) {
        decrement(perUser, user);
        decrement(perVhost, vhost);
    }

    /** Open connections in all (admitted sockets); any thread. */
    int total() {
        return total.get();
    }

    private static <K> boolean increment(Map<K, Integer> counts, K key, int max) {
        boolean[] admitted = {false};
        counts.compute(key, (k, n) -> {
            int count = n == null ? 0 : n;
            if (max > 0 && count >= max) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    private static <K> void decrement(Map<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
