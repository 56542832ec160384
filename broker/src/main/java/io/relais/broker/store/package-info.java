/**
 * Durable state on disk: {@link io.relais.broker.store.DefinitionsStore} keeps durable exchanges,
 * queues and bindings in one checksummed file; {@link io.relais.broker.store.MessageStore} keeps
 * one durable queue's messages and settlements in Chronicle Queue files, with checkpoints for fast
 * recovery and retention that deletes fully settled files. {@code broker/DESIGN-STORE.md} draws
 * the on-disk layout and explains the choices.
 */
package io.relais.broker.store;
