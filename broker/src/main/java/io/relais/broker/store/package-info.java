/**
 * Durable state on disk, and the threads that do all disk work.
 *
 * <p>{@link io.relais.broker.store.DefinitionsStore} keeps durable exchanges, queues and bindings in
 * one checksummed file (the topology reaches it through {@link io.relais.broker.store.DiskDefinitions});
 * {@link io.relais.broker.store.MessageStore} keeps one durable queue's messages and settlements in
 * Chronicle Queue files, with checkpoints for fast recovery and retention that deletes fully settled
 * files; {@link io.relais.broker.store.StoredBacklog} drives a message store as a queue's backlog on one
 * of the {@link io.relais.broker.store.StoreThreads}, completing back to the queue's loop, and
 * {@link io.relais.broker.store.DiskQueueStorage} opens them. {@link io.relais.broker.store.StoreFaults}
 * lets tests slow or fail the disk. {@code broker/DESIGN-STORE.md} draws the on-disk layout and
 * explains the choices.
 */
package io.relais.broker.store;
