package io.relais.broker.core.queue;

import io.relais.broker.core.Reason;

/**
 * Where a queue sends the messages it gives a consumer: the connection that owns the consumer.
 *
 * <p>Called from the queue's owner loop; implementations hand the work to their own thread, except
 * {@link #deliverDirect}, which writes on the calling thread or declines.
 */
public interface DeliverySink {
    /** True while the connection can take more writes. */
    boolean isWritable();

    /**
     * Delivers {@code message} to {@code consumer}; the sink now owns one reference to its payload
     * and must either release it or give it back with {@link MessageQueue#requeue}.
     */
    void deliver(QueueConsumer consumer, Message message, boolean redelivered);

    /**
     * The fan-out fast path ({@link MessageQueue#enqueueOnLoop}): writes {@code message} to
     * {@code consumer}, an automatic-ack one, now, on the calling thread, which is the queue's loop,
     * and returns true, taking over the queue's reference; or returns false, changing nothing, if it
     * cannot do so here (the connection is on another loop, or closing), and the queue enqueues the
     * message instead. The caller has checked that the consumer can take it. By default false.
     */
    default boolean deliverDirect(QueueConsumer consumer, Message message) {
        return false;
    }

    /** The queue ended the consumer (queue deleted). */
    void cancelled(QueueConsumer consumer, Reason reason, String message);
}
