package io.relais.broker.core.queue;

/**
 * Republishes a dead message (rejected without requeue, expired, or dropped from the head of a full
 * queue) to its queue's dead-letter exchange.
 *
 * <p>Called on the dead-lettering queue's event loop; implementations must be thread-safe.
 */
public interface DeadLetterRouter {
    /**
     * Routes {@code message} through {@code exchange} with {@code routingKey}. Takes over the
     * caller's reference to the payload. An exchange that does not exist discards the message.
     */
    void deadLetter(String exchange, String routingKey, Message message);
}
