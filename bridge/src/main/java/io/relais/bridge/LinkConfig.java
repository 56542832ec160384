package io.relais.bridge;

import java.util.Objects;

/**
 * One link of the bridge. Immutable; thread-safe.
 *
 * @param name unique among the links; names the link's source queue when durable
 * @param direction which way it carries messages
 * @param sourceExchange the exchange consumed from (Relais exchange, or RabbitMQ exchange), when
 *     {@code sourceQueue} is null
 * @param sourcePattern the pattern (Relais) or binding key (RabbitMQ) on {@code sourceExchange}
 * @param sourceQueue an existing RabbitMQ queue to consume instead (from-rabbitmq only), or null
 * @param destinationExchange where messages are published
 * @param routingKey how the destination routing key is made from the source's
 * @param atLeastOnce true (default): ack at the source only after the destination confirmed; false: at most
 *     once (ack on receipt, publish without confirm)
 * @param prefetch most messages in flight on this link
 * @param batch most messages published before waiting for their confirms together
 * @param durable true: a durable source queue that keeps collecting while the bridge is down; false: a
 *     private queue that exists while the bridge runs
 */
public record LinkConfig(String name, Direction direction, String sourceExchange, String sourcePattern,
                         String sourceQueue, String destinationExchange, KeyMapping routingKey, boolean atLeastOnce,
                         int prefetch, int batch, boolean durable) {
    public static final int DEFAULT_PREFETCH = 1000;
    public static final int DEFAULT_BATCH = 100;

    public LinkConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(destinationExchange, "destination exchange");
        Objects.requireNonNull(routingKey, "routing key mapping");
        if (sourceQueue == null && (sourceExchange == null || sourcePattern == null)) {
            throw new IllegalArgumentException("link '" + name + "': a source needs an exchange and a pattern, or a "
                    + "queue");
        }
        if (sourceQueue != null && direction == Direction.TO_RABBITMQ) {
            throw new IllegalArgumentException("link '" + name + "': a source queue is only for from-rabbitmq links");
        }
        if (prefetch < 1 || batch < 1 || batch > prefetch) {
            throw new IllegalArgumentException("link '" + name + "': need 1 <= batch <= prefetch");
        }
    }

    /** {@code --to-rabbitmq P}: Relais's default exchange, pattern P, into {@code amq.topic}, key kept, durable. */
    public static LinkConfig toRabbitmq(String pattern) {
        return new LinkConfig("to-rabbitmq." + pattern, Direction.TO_RABBITMQ, "", pattern, null, "amq.topic",
                KeyMapping.KEEP, true, DEFAULT_PREFETCH, DEFAULT_BATCH, true);
    }

    /** {@code --from-rabbitmq P}: {@code amq.topic} with binding key P into Relais's default exchange, durable. */
    public static LinkConfig fromRabbitmq(String pattern) {
        return new LinkConfig("from-rabbitmq." + pattern, Direction.FROM_RABBITMQ, "amq.topic", pattern, null, "",
                KeyMapping.KEEP, true, DEFAULT_PREFETCH, DEFAULT_BATCH, true);
    }

    /** For logs. */
    public String describe() {
        String from = sourceQueue != null ? "queue '" + sourceQueue + "'"
                : "'" + sourceExchange + "' with '" + sourcePattern + "'";
        return name + " (" + direction.id() + ": " + direction.sourceSide() + " " + from + " -> "
                + direction.destinationSide() + " '" + destinationExchange + "', key " + routingKey + ", "
                + (atLeastOnce ? "at-least-once" : "at-most-once") + ", " + (durable ? "durable" : "transient") + ")";
    }
}
