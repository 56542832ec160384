package io.relais.broker.http;

import java.util.List;

/**
 * What the HTTP front end asks the broker about itself for {@code /api/overview} and {@code /health/ready}:
 * its listeners, whether it listens and has recovered its data directory, and the free disk space.
 * Implementations answer from memory without blocking, from any thread.
 */
public interface BrokerStatus {
    /**
     * A listener of the broker.
     *
     * @param protocol {@code relais}, {@code relais+tls}, {@code http} or {@code https}
     * @param host the address it listens on
     * @param port the port it is bound to
     */
    record Listener(String protocol, String host, int port) {
    }

    /** The listeners bound now. */
    List<Listener> listeners();

    /** True while the protocol listeners accept connections. */
    boolean listening();

    /** True once the data directory (users, definitions, queues) was recovered. */
    boolean recovered();

    /** Free bytes on the disk of the data directory, as last probed. */
    long diskFreeBytes();

    /** When the broker started, epoch milliseconds. */
    long startedAtMillis();
}
