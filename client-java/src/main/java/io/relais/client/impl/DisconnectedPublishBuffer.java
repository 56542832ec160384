package io.relais.client.impl;

import io.relais.client.DisconnectedPublishes;
import io.relais.client.Message;
import io.relais.client.RelaisException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The publishes made while the client is between connections, kept in order up to a bound and sent once it
 * has reconnected ({@link DisconnectedPublishes#BUFFER}), or refused at once ({@link DisconnectedPublishes#FAIL}).
 *
 * <p>Not thread-safe: guarded by the lock of the {@link ConnectionSupervisor} that owns it, so that deciding
 * to buffer and deciding the client is connected again never interleave.
 */
final class DisconnectedPublishBuffer {
    /** One publish waiting for the next connection. */
    private record BufferedPublish(Message message, boolean confirmed, CompletableFuture<Void> future) {
    }

    private final DisconnectedPublishes mode;
    private final int capacity;
    private final String address;
    private final ArrayDeque<BufferedPublish> publishes = new ArrayDeque<>();

    /** @param address the broker's address, for messages */
    DisconnectedPublishBuffer(DisconnectedPublishes mode, int capacity, String address) {
        this.mode = mode;
        this.capacity = capacity;
        this.address = address;
    }

    /**
     * Keeps a publish for the next connection.
     *
     * @return null if it was kept, or why it was refused (the caller fails its future with it)
     */
    RelaisException offer(Message message, boolean confirmed, CompletableFuture<Void> future) {
        if (mode == DisconnectedPublishes.FAIL) {
            return new RelaisException(null, "not connected: reconnecting to " + address);
        }
        if (publishes.size() >= capacity) {
            return new RelaisException(null, "not connected, and " + capacity
                    + " publishes already wait for the reconnect");
        }
        publishes.add(new BufferedPublish(message, confirmed, future));
        return null;
    }

    /** Sends every kept publish, in order, on {@code connection}; each completes its future with the outcome. */
    void sendTo(Connection connection) {
        BufferedPublish b;
        while ((b = publishes.poll()) != null) {
            CompletableFuture<Void> target = b.future();
            connection.publish(b.message(), b.confirmed()).whenComplete((x, e) -> {
                if (e != null) {
                    target.completeExceptionally(e);
                } else {
                    target.complete(null);
                }
            });
        }
    }

    /** Empties the buffer; the caller fails the returned futures, outside its lock. */
    List<CompletableFuture<Void>> clear() {
        List<CompletableFuture<Void>> futures = publishes.stream().map(BufferedPublish::future).toList();
        publishes.clear();
        return futures;
    }

    int size() {
        return publishes.size();
    }
}
