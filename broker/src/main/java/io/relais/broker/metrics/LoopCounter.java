package io.relais.broker.metrics;

/**
 * The counts the network event loops keep on the per-message path, each a slot of every loop's
 * {@link LoopCounters}: what is counted, under which Prometheus name, and whether it is a counter
 * (only grows) or a gauge (goes up and down, summed over the loops).
 *
 * <p>Immutable; thread-safe.
 */
public enum LoopCounter {
    /** PUBLISH frames handled, refused ones included. */
    PUBLISHED("relais_messages_published", "Messages published (PUBLISH frames handled, refused ones included)", true),
    /** Published messages routed to at least one queue. */
    ROUTED("relais_messages_routed", "Published messages routed to at least one queue", true),
    /** Published messages that matched no queue. */
    UNROUTABLE("relais_messages_unroutable", "Published messages that matched no queue (returned if mandatory)", true),
    /** DELIVER frames written, redeliveries included. */
    DELIVERED("relais_messages_delivered", "Messages delivered to consumers, redeliveries included", true),
    /** Deliveries flagged redelivered. */
    REDELIVERED("relais_messages_redelivered", "Deliveries of messages delivered before (flagged redelivered)", true),
    /** Manual-ack deliveries settled by ACK. */
    ACKED("relais_messages_acked", "Manual-ack deliveries acknowledged by their consumers", true),
    /** Publishes confirmed positively. */
    CONFIRMED("relais_messages_confirmed", "Publishes confirmed to their publishers (positive confirms)", true),
    /** Publishes confirmed negatively. */
    NACKED("relais_messages_nacked", "Publishes refused with a negative confirm", true),
    /** Bytes read from client sockets (after TLS). */
    BYTES_RECEIVED("relais_network_received_bytes", "Protocol bytes read from client connections (after TLS)", true),
    /** Bytes written to client sockets (before TLS). */
    BYTES_SENT("relais_network_sent_bytes", "Protocol bytes written to client connections (before TLS)", true),
    /** Connections accepted. */
    CONNECTIONS_OPENED("relais_connections_opened", "Client connections accepted", true),
    /** Connections closed. */
    CONNECTIONS_CLOSED("relais_connections_closed", "Client connections closed", true),
    /** Connections whose reading is stopped by flow control right now. */
    FLOW_BLOCKED("relais_flow_blocked_publishers",
            "Publishing connections that flow control stops reading now (congested queue or memory alarm)", false);

    private final String metricName;
    private final String help;
    private final boolean counter;

    LoopCounter(String metricName, String help, boolean counter) {
        this.metricName = metricName;
        this.help = help;
        this.counter = counter;
    }

    /** The Prometheus name, without the {@code _total} a counter's samples add. */
    public String metricName() {
        return metricName;
    }

    /** The HELP text. */
    public String help() {
        return help;
    }

    /** True for a counter, false for a gauge. */
    public boolean counter() {
        return counter;
    }
}
