package io.relais.broker.core.queue;

import io.relais.broker.core.Reason;

/**
 * Where a queue sends the messages it gives a consumer: the connection that owns the consumer.
 *
 * <p>Called from the queue's owner loop; implementations hand the work to their own thread.
 */
public interface DeliverySink {
    /** True while the connection can take more writes. */
    boolean isWritable();

    /**
     * Delivers {@code message} to {@code consumer}; the sink now owns one reference to its payload
     * and must either release it or give it back with {@link MessageQueue#requeue}.
     */
    void deliver(QueueConsumer consumer, Message message, boolean redelivered);

    /** The queue ended the consumer (queue deleted). */
    void cancelled(QueueConsumer consumer, Reason reason, String message);
}
