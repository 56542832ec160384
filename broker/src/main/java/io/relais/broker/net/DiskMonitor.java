package io.relais.broker.net;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically checks the free space of the data directory's file system and raises the disk alarm
 * below {@code store.min-free-disk}; it clears the alarm once free space is back above the
 * threshold plus a margin (a tenth of it, at least 16 MiB), so the alarm does not flap. While the
 * alarm is raised, persistent publishes to durable queues are refused with {@code DISK_FULL} (1007):
 * the broker never writes a memory-mapped file onto a full disk, which would crash the process.
 *
 * <p>Runs as a scheduled task on one event loop; the alarm flag itself is volatile.
 */
public final class DiskMonitor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskMonitor.class);
    private final BrokerContext context;
    private final Path dataDir;
    private final long threshold;
    private final long resume;
    private final LongSupplier freeSpace;
    private FileStore store;

    public DiskMonitor(BrokerContext context, Path dataDir) {
        this(context, dataDir, null);
    }

    /** With {@code freeSpace} reporting the free bytes instead of the file system (for tests). */
    DiskMonitor(BrokerContext context, Path dataDir, LongSupplier freeSpace) {
        this.context = context;
        this.dataDir = dataDir;
        this.threshold = context.config().minFreeDisk();
        this.resume = threshold + Math.max(threshold / 10, 16L << 20);
        this.freeSpace = freeSpace;
    }

    @Override
    public void run() {
        long free;
        try {
            if (freeSpace != null) {
                free = freeSpace.getAsLong();
            } else {
                if (store == null) {
                    store = Files.getFileStore(dataDir);
                }
                free = store.getUsableSpace();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the free space of {}: {}", dataDir, e.toString());
            return;
        }
        if (!context.diskAlarm() && free < threshold) {
            LOG.warn("disk alarm: {} MiB free on the disk of {}, below store.min-free-disk ({} MiB); persistent "
                    + "publishes to durable queues are refused until space returns", free >> 20, dataDir,
                    threshold >> 20);
            context.diskAlarm(true);
        } else if (context.diskAlarm() && free >= resume) {
            LOG.info("disk alarm cleared: {} MiB free; persistent publishes resume", free >> 20);
            context.diskAlarm(false);
        }
    }
}
