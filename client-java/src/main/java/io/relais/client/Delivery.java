package io.relais.client;

import io.relais.protocol.Properties;

/**
 * One message delivered to a subscription.
 *
 * <p>The payload has been copied out of the network buffer before the handler is called, so a delivery is
 * an ordinary heap object: it may be kept, passed to other threads and acknowledged later. For a
 * manual-ack subscription, settle each delivery exactly once with {@link #ack()}, {@link #nack(boolean)} or
 * {@link #reject(boolean)}; later calls are ignored. For an automatic-ack subscription the broker settled
 * the message when it sent it, and these three methods do nothing.
 *
 * <p>Thread-safe.
 */
public interface Delivery {
    /** The id of the subscription that received it. */
    long sid();

    /** The connection-wide delivery number, starting at 1. */
    long deliveryTag();

    /** True if the message was delivered before and not acknowledged. */
    boolean redelivered();

    /** True if it was published persistent (durable queues keep it on disk). */
    boolean persistent();

    /** The exchange it was published to, "" for the default exchange. */
    String exchange();

    /** The routing key it was published with. */
    String routingKey();

    /** Its properties; {@link Properties#EMPTY} when it has none. */
    Properties properties();

    /** Its body. The array belongs to the delivery; do not modify it. */
    byte[] payload();

    /** The body decoded as UTF-8. */
    String payloadAsString();

    /** Acknowledges the message: the broker removes it from its queue. */
    void ack();

    /**
     * Refuses the message.
     *
     * @param requeue true to put it back at the head of its queue, false to drop (or dead-letter) it
     */
    void nack(boolean requeue);

    /**
     * Refuses the message; the same as {@link #nack(boolean)} for a single delivery.
     *
     * @param requeue true to put it back at the head of its queue, false to drop (or dead-letter) it
     */
    void reject(boolean requeue);
}
