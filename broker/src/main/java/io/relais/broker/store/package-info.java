/**
 * Durable state on disk, and the threads that do all disk work.
 *
 * <p>{@link io.relais.broker.store.DefinitionsStore} keeps durable exchanges, queues and bindings in
 * one checksummed file (the topology reaches it through {@link io.relais.broker.store.DiskDefinitions});
 * {@link io.relais.broker.store.MessageStore} keeps one durable queue's messages and settlements in
 * Chronicle Queue files, with checkpoints for fast recovery and retention that deletes fully settled
 * files. Its helpers, driven by the same store thread: one class per on-disk record, each drawing its
 * byte layout ({@link io.relais.broker.store.MessageRecord} in the message log,
 * {@link io.relais.broker.store.AckRecord} and {@link io.relais.broker.store.CheckpointRecord} in the
 * settle log), each with a length and a CRC32C ({@link io.relais.broker.store.RecordChecksum});
 * {@link io.relais.broker.store.TailRepair}, which checks the last file of each log at open and
 * cuts a torn or damaged tail; {@link io.relais.broker.store.StoreRecovery}, which rebuilds a
 * store's state from the latest valid checkpoint at open; {@link io.relais.broker.store.CycleRetention}, which deletes the cycle
 * files no longer needed; and {@link io.relais.broker.store.SettleWindow}, the messages read and not
 * yet settled. {@link io.relais.broker.store.StoredBacklog} drives a message store as a queue's
 * backlog on one of the {@link io.relais.broker.store.StoreThreads}, completing back to the queue's
 * loop, delivering from memory and writing late (or never, if settled first) what
 * {@link io.relais.broker.store.WriteBehind} allows, and {@link io.relais.broker.store.DiskQueueStorage}
 * opens them. {@link io.relais.broker.store.DiskSpace}
 * counts the free space every store write reserves first, so that no write faults on a full disk
 * ({@link io.relais.broker.store.DiskFullException} when one is refused). {@link io.relais.broker.store.StoreFaults}
 * lets tests slow, fill or fail the disk. {@link io.relais.broker.store.DiskVhostStorage} places each
 * virtual host's definitions and queues (the default one in the data directory itself, the others
 * under {@code vhosts/}); {@link io.relais.broker.store.VhostsFile} and
 * {@link io.relais.broker.store.PermissionsFile} keep the set of virtual hosts and the permission
 * table, each a small checksummed file replaced atomically ({@link io.relais.broker.store.RecordFile}). {@code broker/DESIGN-STORE.md} draws the on-disk layout and
 * explains the choices.
 */
package io.relais.broker.store;
