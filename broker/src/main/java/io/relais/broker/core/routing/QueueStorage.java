package io.relais.broker.core.routing;

import io.relais.broker.core.queue.Backlog;
import java.util.Set;

/**
 * Where durable queues keep their messages: opens a queue's stored {@link Backlog} and cleans up
 * the stores of queues that no longer exist. The store package implements it; the topology calls
 * it on its own thread, never on a network event loop.
 */
public interface QueueStorage {
    /**
     * Opens (creating or recovering) the stored backlog of durable queue {@code name}.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if it cannot
     */
    Backlog open(String vhost, String name);

    /** Deletes the stores of queues other than {@code names} (queues deleted before a crash). */
    void retainOnly(String vhost, Set<String> names);
}
