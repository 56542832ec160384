package io.relais.client.impl;

import io.relais.client.DisconnectedPublishes;
import io.relais.client.RelaisException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The publishes made while the client is between connections, kept in order up to a bound and sent once it
 * has reconnected ({@link DisconnectedPublishes#BUFFER}), or refused at once ({@link DisconnectedPublishes#FAIL}).
 *
 * <p>Not thread-safe: guarded by the lock of the {@link ConnectionSupervisor} that owns it, so that deciding
 * to buffer and deciding the client is connected again never interleave.
 */
final class DisconnectedPublishBuffer {
    private final DisconnectedPublishes mode;
    private final int capacity;
    private final String address;
    private final ArrayDeque<OutgoingPublish> publishes = new ArrayDeque<>();

    /** @param address the broker's address, for messages */
    DisconnectedPublishBuffer(DisconnectedPublishes mode, int capacity, String address) {
        this.mode = mode;
        this.capacity = capacity;
        this.address = address;
    }

    /**
     * Keeps a publish for the next connection.
     *
     * @return null if it was kept, or why it was refused (the caller reports it)
     */
    RelaisException offer(OutgoingPublish publish) {
        if (mode == DisconnectedPublishes.FAIL) {
            return new RelaisException(null, "not connected: reconnecting to " + address);
        }
        if (publishes.size() >= capacity) {
            return new RelaisException(null, "not connected, and " + capacity
                    + " publishes already wait for the reconnect");
        }
        publishes.add(publish);
        return null;
    }

    /** Sends every kept publish, in order, on {@code connection}; each reports its outcome where it says. */
    void sendTo(Connection connection) {
        OutgoingPublish p;
        while ((p = publishes.poll()) != null) {
            RelaisException refused = connection.publish(p);
            if (refused != null) {
                p.failed(refused);
            }
        }
    }

    /** Empties the buffer; the caller fails the returned publishes, outside its lock. */
    List<OutgoingPublish> clear() {
        List<OutgoingPublish> all = List.copyOf(publishes);
        publishes.clear();
        return all;
    }

    int size() {
        return publishes.size();
    }
}
