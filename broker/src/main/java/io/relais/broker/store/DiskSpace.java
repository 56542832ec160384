package io.relais.broker.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space of the data directory's file system, as every store write sees it: the broker never
 * lets a write touch a new page of a memory-mapped file when that could fail, because a page the file
 * system cannot back faults the JVM ({@code InternalError: a fault occurred in a recent unsafe memory
 * access}), and what was being written is lost.
 *
 * <p>How it knows without a system call per write: a probe ({@code statfs}, through
 * {@link FileStore#getUsableSpace}) runs every {@value #PROBE_MILLIS} ms on a store thread and after
 * every {@value #PROBE_BYTES} bytes reserved; in between, every write first reserves the bytes it
 * will add ({@link #reserveMessage}, {@link #reserveSettle}) and the estimate is the free space at
 * the last probe minus what was reserved since. Chronicle files are sparse and filled in order, so
 * what a write adds to the disk is its own bytes plus, when it opens a new cycle file, that file's
 * header and index (measured at 16 KiB; {@link #NEW_FILE_BYTES} is counted).
 *
 * <p>Three levels, from {@code store.min-free-disk} (M):
 * <ul>
 *   <li>below M the disk alarm is raised ({@link #alarm}): publishes that a durable queue would
 *       store are refused with {@code DISK_FULL} by the front end; it clears at M plus a margin
 *       (a tenth of M, at least 16 MiB), so it does not flap;</li>
 *   <li>below M / 2 (at least 2 MiB) the stores themselves refuse to append messages, for the
 *       publishes already on their way when the alarm went up;</li>
 *   <li>below M / 4 (at least 1 MiB) they refuse settle records and checkpoints too. The quarter
 *       between keeps settling, and with it the deletion of settled files (how space comes back),
 *       writable while publishes are refused;</li>
 *   <li>below {@value #FLOOR_MIB} MiB nothing is written at all: not even the definitions file or
 *       a new queue's store, which are small, rare and asked for by an operator (so they are allowed
 *       below the other levels), and the broker does not start.</li>
 * </ul>
 * The margins absorb what the estimate cannot see: other processes writing to the same disk
 * between probes, and records reserved but not yet written when a probe runs.
 *
 * <p>Thread-safe and lock-free: {@link #reserveMessage} and {@link #reserveSettle} run on store
 * threads (two or three atomic operations on one counter), {@link #probe} on whichever thread
 * calls it (at most one probe at a time; others keep the estimate), the readers anywhere.
 */
public final class DiskSpace {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);
    /** How often the scheduled probe runs. */
    public static final long PROBE_MILLIS = 100;
    /** Bytes reserved after which the next reservation probes again. */
    static final long PROBE_BYTES = 1L << 20;
    /** Counted for a write that opens a new Chronicle cycle file (its header and index arrays). */
    static final long NEW_FILE_BYTES = 64L << 10;
    private static final long MIB = 1L << 20;
    /** The free space below which nothing is written, in MiB. */
    public static final long FLOOR_MIB = 1;

    private final String where;
    private final LongSupplier freeSpace;
    private final long alarmBelow;
    private final long resumeAt;
    private final long messagesBelow;
    private final long settlesBelow;
    private final AtomicLong reservedSinceProbe = new AtomicLong();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long freeAtProbe;
    private volatile boolean alarm;
    private volatile boolean probeFailing;
    private volatile Runnable alarmListener = () -> {
    };

    /**
     * The space of the file system of {@code dataDir} (which must exist), with
     * {@code store.min-free-disk} = {@code minFree}; probes it once.
     *
     * @throws StoreException if the file system cannot be found or probed
     */
    public static DiskSpace of(Path dataDir, long minFree) {
        return of(dataDir, minFree, StoreFaults.NONE);
    }

    /** As {@link #of(Path, long)}, the free space passed through {@link StoreFaults#freeSpace} (for tests). */
    public static DiskSpace of(Path dataDir, long minFree, StoreFaults faults) {
        FileStore fs;
        try {
            fs = Files.getFileStore(dataDir);
            fs.getUsableSpace();
        } catch (IOException e) {
            throw new StoreException("cannot read the free space of " + dataDir + ": " + e, e);
        }
        return new DiskSpace(dataDir.toString(), () -> {
            try {
                return faults.freeSpace(fs.getUsableSpace());
            } catch (IOException e) {
                throw new IllegalStateException(e.toString(), e);
            }
        }, minFree);
    }

    /** No limit: for tests of stores that are not about the disk. */
    public static DiskSpace unlimited() {
        return new DiskSpace("(no disk)", () -> Long.MAX_VALUE / 2, 0);
    }

    /**
     * Space as {@code freeSpace} reports it (for tests; the broker uses {@link #of}); probes it once.
     *
     * @param where   what the space belongs to, for messages (the data directory)
     * @param minFree {@code store.min-free-disk}
     */
    public DiskSpace(String where, LongSupplier freeSpace, long minFree) {
        this.where = where;
        this.freeSpace = freeSpace;
        this.alarmBelow = minFree;
        long margin = Math.max(minFree / 10, 16 * MIB);
        // Saturated: a threshold near Long.MAX_VALUE (a test's "always full") must not wrap to a
        // negative resume level, which the first probe would take for space returned.
        this.resumeAt = minFree > Long.MAX_VALUE - margin ? Long.MAX_VALUE : minFree + margin;
        this.messagesBelow = Math.max(minFree / 2, 2 * MIB);
        this.settlesBelow = Math.max(minFree / 4, MIB);
        this.freeAtProbe = freeSpace.getAsLong();
        this.alarm = freeAtProbe < alarmBelow;
    }

    /**
     * Reserves room for {@code bytes} of message records: false, and nothing reserved, if that
     * would leave less than the message level (M / 2); the caller then writes nothing.
     */
    public boolean reserveMessage(long bytes) {
        return reserve(bytes, messagesBelow);
    }

    /**
     * Reserves room for {@code bytes} of settle records, checkpoints or definitions: false, and
     * nothing reserved, if that would leave less than the last reserve (M / 4).
     */
    public boolean reserveSettle(long bytes) {
        return reserve(bytes, settlesBelow);
    }

    /**
     * Reserves room for {@code bytes} of the definitions file or a new store's metadata: false, and
     * nothing reserved, if that would leave less than {@value #FLOOR_MIB} MiB.
     */
    public boolean reserveMetadata(long bytes) {
        return reserve(bytes, FLOOR_MIB * MIB);
    }

    private boolean reserve(long bytes, long keep) {
        // Probe before adding these bytes: a probe counts what was reserved before it as written, which
        // holds for this thread's earlier writes, not for the one it is about to make.
        if (reservedSinceProbe.get() >= PROBE_BYTES) {
            probe();
        }
        long reserved = reservedSinceProbe.addAndGet(bytes);
        if (freeAtProbe - reserved < keep) {
            reservedSinceProbe.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /**
     * Reads the free space from the file system (a {@code statfs}); what was reserved before counts
     * as written. Updates the alarm. Runs on a store thread, never on a network event loop.
     */
    public void probe() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        try {
            long before = reservedSinceProbe.get();
            long free = freeSpace.getAsLong();
            freeAtProbe = free;
            reservedSinceProbe.addAndGet(-before);
            if (probeFailing) {
                probeFailing = false;
                LOG.info("the free space of {} can be read again", where);
            }
        } catch (RuntimeException e) {
            if (!probeFailing) {
                probeFailing = true;
                LOG.warn("cannot read the free space of {} ({}); the stores go on with the last estimate", where,
                        e.getMessage());
            }
        } finally {
            probing.set(false);
        }
        updateAlarm();
    }

    private void updateAlarm() {
        long free = free();
        boolean was = alarm;
        if (!was && free < alarmBelow) {
            alarm = true;
        } else if (was && free >= resumeAt) {
            alarm = false;
        }
        if (alarm != was) {
            alarmListener.run();
        }
    }

    /**
     * Runs {@code listener} on the probing thread whenever the alarm changes, so that publishes are
     * refused as soon as a probe sees the disk below the threshold (a store thread probes after every
     * MiB written, which at disk speed is sooner than any periodic check). It must be thread-safe.
     */
    public void onAlarmChange(Runnable listener) {
        this.alarmListener = listener;
    }

    /** The estimated free bytes now: at the last probe, less what was reserved since. */
    public long free() {
        return freeAtProbe - reservedSinceProbe.get();
    }

    /**
     * True while the disk alarm is raised: below {@code store.min-free-disk} until back above it
     * plus the margin. Updated by {@link #probe}.
     */
    public boolean alarm() {
        return alarm;
    }

    /** {@code store.min-free-disk}: the alarm level. */
    public long alarmLevel() {
        return alarmBelow;
    }

    /** The free space at which a raised alarm clears. */
    public long resumeLevel() {
        return resumeAt;
    }

    /** The message level (M / 2, at least 2 MiB): below it, stores append no messages. */
    public long messageLevel() {
        return messagesBelow;
    }

    /** The last reserve (M / 4, at least 1 MiB): below it, stores record no settlements either. */
    public long lastReserve() {
        return settlesBelow;
    }

    /** The floor ({@value #FLOOR_MIB} MiB): below it nothing is written and the broker does not start. */
    public long floor() {
        return FLOOR_MIB * MIB;
    }

    /** What the space belongs to (the data directory), for messages. */
    public String where() {
        return where;
    }
}
