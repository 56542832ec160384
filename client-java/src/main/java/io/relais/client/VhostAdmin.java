package io.relais.client;

import io.relais.protocol.frame.VhostInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's virtual hosts, for administrators (PROTOCOL.md 4.40-4.43): {@link RelaisClient#vhosts()}.
 * Every call is one request on the client's connection; a user without the {@code administrator}
 * tag gets {@link AccessRefusedException}. Thread-safe.
 */
public interface VhostAdmin {
    /** Creates a virtual host; completes with true if it was created, false if it existed. */
    CompletableFuture<Boolean> add(String name);

    /**
     * Deletes a virtual host with its exchanges, queues, messages and permissions; the broker
     * closes the connections in it. Fails with NOT_FOUND for an unknown one.
     */
    CompletableFuture<Void> delete(String name);

    /** The virtual hosts, sorted by name, with their queue and connection counts. */
    CompletableFuture<List<VhostInfo>> list();
}
