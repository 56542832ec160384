package io.relais.broker.core.queue;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one queue dead-letters a message that leaves it unconsumed (rejected, expired, dropped by
 * {@code drop-head}): a copy with the {@code x-death-*} headers goes to the queue's dead-letter
 * exchange, with its dead-letter routing key or the message's own (PROTOCOL.md 5.2.3). A message
 * that would cycle through the same queue without being rejected is dropped instead, as RabbitMQ
 * does.
 *
 * <p>Immutable; called on the queue's loop.
 */
final class DeadLettering {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLettering.class);

    private final String queueName;
    private final QueueArguments arguments;
    private final DeadLetterRouter router;

    DeadLettering(String queueName, QueueArguments arguments, DeadLetterRouter router) {
        this.queueName = queueName;
        this.arguments = arguments;
        this.router = router;
    }

    /** Republishes a copy of {@code m} if the queue has a dead-letter exchange; {@code m} itself is untouched. */
    void deadLetter(Message m, String reason) {
        if (!arguments.deadLetters()) {
            return;
        }
        Map<String, Object> own = m.headers();
        Map<String, Object> headers = own == null ? new HashMap<>() : new HashMap<>(own);
        if (!"rejected".equals(reason) && queueName.equals(headers.get("x-death-queue"))) {
            LOG.debug("queue '{}': dropping a message that would cycle through dead-lettering", queueName);
            return;
        }
        long deaths = headers.get("x-death-count") instanceof Long n ? n : 0;
        headers.put("x-death-reason", reason);
        headers.put("x-death-queue", queueName);
        headers.put("x-death-exchange", m.exchange());
        headers.put("x-death-routing-key", m.routingKey());
        headers.put("x-death-count", deaths + 1);
        String key = arguments.deadLetterRoutingKey() != null ? arguments.deadLetterRoutingKey() : m.routingKey();
        Message copy = m.deadLettered(arguments.deadLetterExchange(), key, headers, System.currentTimeMillis());
        router.deadLetter(arguments.deadLetterExchange(), key, copy);
    }
}
