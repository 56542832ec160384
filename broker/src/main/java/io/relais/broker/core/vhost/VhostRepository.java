package io.relais.broker.core.vhost;

import java.util.Set;

/**
 * Where the set of virtual host names is kept. The store package implements it as a file of its
 * own in the data directory; {@link VirtualHosts} calls it on its own thread, never on a network
 * event loop.
 */
public interface VhostRepository {
    /**
     * The names saved last, or null if none were ever saved (a first start, or a data directory of
     * a version without virtual hosts).
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if they cannot be read
     */
    Set<String> load();

    /**
     * Replaces the saved names; durable once it returns.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if they cannot be written
     */
    void save(Set<String> names);
}
