package io.relais.broker.store;

/**
 * Faults that tests inject into the stores, to show what a slow, full or failing disk does to the
 * rest of the broker. The broker runs with {@link #NONE}; nothing in the configuration reaches this.
 *
 * <p>Each hook runs just before the write it names, inside the store's fault handling: throwing
 * {@link InternalError} from it is what a write onto a memory-mapped page the file system cannot
 * back looks like (a SIGBUS turned into {@code InternalError} by the JVM), so the store handles it
 * as it would handle that. A disk that is merely nearly full is shown with {@link #freeSpace}.
 *
 * <p>Called on store threads (the definitions hook on the topology's thread); implementations must
 * be thread-safe.
 */
public interface StoreFaults {
    /** No faults. */
    StoreFaults NONE = queue -> {
    };

    /** Called just before a durable queue's store syncs to disk; may sleep or throw. */
    void beforeSync(String queue);

    /** Called just before a message is appended to {@code queue}'s message log; may throw. */
    default void beforeAppend(String queue) {
    }

    /** Called just before a settle (ack) record is appended to {@code queue}'s settle log; may throw. */
    default void beforeSettle(String queue) {
    }

    /** Called just before a checkpoint is appended to {@code queue}'s settle log; may throw. */
    default void beforeCheckpoint(String queue) {
    }

    /**
     * Called when a store that opens has written the scratch copy of a damaged last file's first
     * record, before the rest of the copy; may throw (an {@link InternalError} is a fault on the
     * copy's mapping).
     */
    default void duringRepair(String queue) {
    }

    /**
     * What the stores are told is free on the data directory's disk, given what the file system
     * reports: lets a test make the disk look full (or nearly) without filling it.
     */
    default long freeSpace(long reported) {
        return reported;
    }

    /**
     * Called just before the durable definitions are saved; may throw {@link StoreException}, as
     * an I/O error of the save would.
     */
    default void beforeDefinitionsSave() {
    }
}
