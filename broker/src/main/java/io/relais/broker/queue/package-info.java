/**
 * Queues and their consumers.
 *
 * <p>Each {@link io.relais.broker.queue.MessageQueue} is owned by one Netty event loop: its message
 * lists and consumer list are touched only there, so they need no locks. Other threads hand it
 * messages through a lock-free inbox ({@link io.relais.broker.queue.MessageQueue#enqueue}) and
 * settle deliveries through atomic counters on {@link io.relais.broker.queue.QueueConsumer}.
 * Deliveries leave through a {@link io.relais.broker.queue.DeliverySink}, the connection that owns
 * the consumer.
 */
package io.relais.broker.queue;
