package io.relais.broker.core.routing;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import java.util.Objects;

/** The rules a topology change is checked against before it is made. Stateless. */
final class TopologyChecks {
    private TopologyChecks() {
    }

    /** Refuses a binding key that the exchange's type does not allow. */
    static void checkPattern(Exchange ex, String pattern) {
        String error = ex.isTopic() ? TopicPattern.validatePattern(pattern)
                : "direct".equals(ex.type()) ? TopicPattern.validateRoutingKey(pattern)
                : Names.lengthError("binding key", pattern);
        if (error != null) {
            throw new CoreException(Reason.INVALID_ARGUMENT, error);
        }
    }

    /** Refuses a queue that is exclusive to another connection than the caller's. */
    static void checkExclusive(MessageQueue q, Caller caller) {
        if (q.ownerConnectionId() != null && !Objects.equals(q.ownerConnectionId(), caller.connectionId())) {
            throw new CoreException(Reason.RESOURCE_LOCKED, "queue '" + q.name()
                    + "' is exclusive to another connection");
        }
    }

    /** An exchange's kind in words, for messages. */
    static String describe(String type, boolean durable, boolean autoDelete) {
        return type + (durable ? " durable" : " transient") + (autoDelete ? " auto-delete" : "");
    }

    /**
     * Offers a dead-lettered message to every queue {@code ex} routes {@code routingKey} to; takes
     * over the caller's reference. Queues that are full drop it, and nothing is confirmed.
     */
    static void offerDeadLetter(Exchange ex, String routingKey, Message message) {
        ex.route(routingKey, q -> {
            message.retain(1);
            if (!q.enqueue(message)) {
                message.release();
            }
        });
        message.release();
    }
}
