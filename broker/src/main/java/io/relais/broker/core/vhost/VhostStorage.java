package io.relais.broker.core.vhost;

import io.relais.broker.core.routing.DefinitionsRepository;
import io.relais.broker.core.routing.QueueStorage;

/**
 * Where each virtual host keeps its durable definitions and its durable queues' messages. The store
 * package implements it on disk (the default virtual host in the data directory itself, the others
 * in a directory of their own); {@link VirtualHosts} calls it on its own thread, never on a network
 * event loop.
 */
public interface VhostStorage {
    /** The durable definitions of {@code vhost}. */
    DefinitionsRepository definitions(String vhost);

    /** The durable queues' stores of {@code vhost}. */
    QueueStorage queues(String vhost);

    /**
     * Deletes what is left on disk of {@code vhost} once its queues are deleted: its definitions and
     * its directory.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if it cannot
     */
    void delete(String vhost);
}
