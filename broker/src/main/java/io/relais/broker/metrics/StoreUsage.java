package io.relais.broker.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of the files under the data directory (queue stores, definitions, users, audit log), as
 * their sizes add up; Chronicle's files are sparse, so the space they take on the disk can be less.
 * {@link #scan} walks the directory and runs on a store thread, now and then (never on a network
 * loop, never at scrape time); {@link #bytes} returns the last result.
 *
 * <p>Thread-safe: one thread scans, any thread reads.
 */
public final class StoreUsage {
    private static final Logger LOG = LoggerFactory.getLogger(StoreUsage.class);
    private final Path dataDir;
    private volatile long bytes = -1;
    private boolean failing;

    /** Measures the files under {@code dataDir}. */
    public StoreUsage(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Walks the data directory and records the total size of its files; on a store thread. */
    public void scan() {
        long[] total = {0};
        try {
            Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // A file deleted during the walk (a store's old cycle) is simply not counted.
                    return FileVisitResult.CONTINUE;
                }
            });
            bytes = total[0];
            failing = false;
        } catch (NoSuchFileException e) {
            bytes = 0;
        } catch (IOException | UncheckedIOException e) {
            if (!failing) {
                failing = true;
                LOG.warn("cannot measure the files of {}: {}", dataDir, e.toString());
            }
        }
    }

    /** Bytes of the data directory's files at the last scan; -1 before the first. */
    public long bytes() {
        return bytes;
    }
}
