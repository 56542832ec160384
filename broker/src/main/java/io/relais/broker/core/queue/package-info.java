/**
 * Queues, their backlogs and their consumers.
 *
 * <p>One {@link io.relais.broker.core.queue.MessageQueue} class serves every kind of queue: it owns
 * the consumers, their credit, acknowledgements and redelivery, and keeps its waiting messages in a
 * {@link io.relais.broker.core.queue.Backlog}: {@link io.relais.broker.core.queue.MemoryBacklog}
 * on the heap, or the store's Chronicle-backed backlog for durable queues. A new kind of backlog
 * (streams read by offset, delayed messages, a replicated store) is a new class behind that
 * interface. Each queue is owned by one {@link io.relais.broker.core.OwnerLoop}: its lists are
 * touched only there. Other threads hand it messages through the backlog's lock-free inbox
 * ({@link io.relais.broker.core.queue.MessageQueue#enqueue}) and settle deliveries through atomic
 * counters on {@link io.relais.broker.core.queue.QueueConsumer}. Deliveries leave through a
 * {@link io.relais.broker.core.queue.DeliverySink}, the connection that owns the consumer.
 * {@link io.relais.broker.core.queue.Message} is the message as the core sees it; its body belongs
 * to the front end that made it.
 */
package io.relais.broker.core.queue;
