package io.relais.bridge;

import java.util.concurrent.CompletableFuture;

/** Where a link publishes. Implementations are thread-safe. */
interface Destination {
    /**
     * Publishes {@code m} to {@code exchange} with {@code routingKey}, stamped with the origin header.
     *
     * @param confirmed whether to wait for the destination's confirm
     * @return completes when confirmed (or sent, when not {@code confirmed}); fails if it was not
     */
    CompletableFuture<Void> publish(String exchange, String routingKey, Inbound m, String origin, boolean confirmed);
}
