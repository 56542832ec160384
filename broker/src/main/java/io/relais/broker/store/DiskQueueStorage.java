package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.routing.QueueStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable queues' stores under {@code DATA/queues/}: one {@link MessageStore} directory per queue,
 * driven through a {@link StoredBacklog} on one of the {@link StoreThreads}, its writes checked
 * against the broker's {@link DiskSpace}. A new durable queue is refused ({@link Reason#DISK_FULL})
 * only below the disk's floor ({@link DiskSpace#reserveMetadata}): making its store writes a few
 * KiB of metadata; its messages are then refused by the disk alarm like any other queue's.
 * Called on the topology's thread (and at start-up); opening a store is disk work, never done on a
 * network loop.
 */
public final class DiskQueueStorage implements QueueStorage {
    private static final Logger LOG = LoggerFactory.getLogger(DiskQueueStorage.class);
    /** Counted for a new store: its two metadata files (4 KiB each, measured) with room to spare. */
    private static final long NEW_STORE_BYTES = 64L << 10;
    private final Path queuesDir;
    private final FsyncPolicy fsync;
    private final WriteBehind writeBehind;
    private final StoreThreads threads;
    private final DiskSpace space;

    /** Stores under {@code dataDir/queues}, synced by {@code fsync}, driven by {@code threads}; no disk limit. */
    public DiskQueueStorage(Path dataDir, FsyncPolicy fsync, StoreThreads threads) {
        this(dataDir, fsync, threads, DiskSpace.unlimited());
    }

    /**
     * Stores under {@code dataDir/queues}, as above, whose writes are checked against {@code space}, without
     * write-behind.
     */
    public DiskQueueStorage(Path dataDir, FsyncPolicy fsync, StoreThreads threads, DiskSpace space) {
        this(dataDir, fsync, WriteBehind.OFF, threads, space);
    }

    /** Stores as above whose backlogs deliver from memory and write late as {@code writeBehind} says. */
    public DiskQueueStorage(Path dataDir, FsyncPolicy fsync, WriteBehind writeBehind, StoreThreads threads,
                            DiskSpace space) {
        this.queuesDir = dataDir.resolve("queues");
        this.fsync = fsync;
        this.writeBehind = writeBehind;
        this.threads = threads;
        this.space = space;
    }

    @Override
    public Backlog open(String vhost, String name) {
        Path dir = MessageStore.directoryFor(queuesDir, name);
        if (!Files.isDirectory(dir) && !space.reserveMetadata(NEW_STORE_BYTES)) {
            throw new CoreException(Reason.DISK_FULL, "the broker's disk is full (" + (space.free() >> 10)
                    + " KiB free): durable queue '" + name + "' cannot be created until space is freed");
        }
        MessageStore store;
        try {
            store = MessageStore.open(dir, name, fsync, space, threads.faults());
            store.observeSyncs(threads.syncObserver());
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, "could not open the store of queue '" + name + "': "
                    + e.getMessage());
        }
        return new StoredBacklog(name, store, threads.next(), fsync, writeBehind, threads.faults());
    }

    @Override
    public void retainOnly(String vhost, Set<String> names) {
        if (!Files.isDirectory(queuesDir)) {
            return;
        }
        Set<Path> known = new HashSet<>();
        for (String name : names) {
            known.add(MessageStore.directoryFor(queuesDir, name));
        }
        try (Stream<Path> dirs = Files.list(queuesDir)) {
            for (Path dir : dirs.toList()) {
                if (!known.contains(dir)) {
                    LOG.warn("deleting {}: it belongs to a queue that was deleted before the broker stopped", dir);
                    MessageStore.deleteFiles(dir);
                }
            }
        } catch (IOException e) {
            throw new CoreException(Reason.STORE_FAILED, "cannot list " + queuesDir + ": " + e.getMessage());
        }
    }
}
