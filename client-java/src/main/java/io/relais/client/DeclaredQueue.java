package io.relais.client;

/**
 * The broker's answer to {@link RelaisClient#declareQueue(QueueDeclaration)}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name the queue's name (the generated one for a server-named queue)
 * @param messageCount messages ready in the queue
 * @param consumerCount subscriptions consuming from the queue
 */
public record DeclaredQueue(String name, long messageCount, long consumerCount) {
}
