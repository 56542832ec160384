package io.relais.broker.store;

import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention of a {@link MessageStore}'s cycle files: Chronicle keeps every file it rolls
 * unless told otherwise, so this deletes the message-log files that hold only settled messages and
 * the settle-log files that a later checkpoint supersedes. Disk use thus follows the backlog.
 *
 * <p>Files are found by listing the queue's directory and reading the cycle from each name
 * ({@link #cycleOf}), not with Chronicle's {@code listCyclesBetween}: that throws when a cycle in
 * the range has no file, as after any stop longer than one roll cycle. Each log is read with its own
 * roll cycle (a store made by an earlier version rolls every five minutes, a new one every minute).
 *
 * <p>The damaged files that {@link TailRepair} keeps ({@code <cycle>.cq4.damaged}) go by the same
 * rule as the cycle files, with the cycle their name says; while the disk alarm is raised they go
 * at once, whatever their cycle: they are kept only for a look at what was cut.
 *
 * <p>Not thread-safe: called by its store's {@link MessageStore#maintain} on the store thread.
 */
final class CycleRetention {
    private static final Logger LOG = LoggerFactory.getLogger(CycleRetention.class);
    private final String name;
    private final SingleChronicleQueue messages;
    private final SingleChronicleQueue acks;
    private final LongValue checkpointIndex;

    /**
     * @param name            the queue's name, for messages
     * @param messages        the store's message log
     * @param acks            the store's settle log
     * @param checkpointIndex the settle log's metadata value that holds the latest checkpoint's index
     */
    CycleRetention(String name, SingleChronicleQueue messages, SingleChronicleQueue acks, LongValue checkpointIndex) {
        this.name = name;
        this.messages = messages;
        this.acks = acks;
        this.checkpointIndex = checkpointIndex;
    }

    /**
     * Deletes the message-log files of cycles before the one still needed, and the settle-log
     * files of cycles before the latest checkpoint's.
     *
     * @param nowCycle   the current roll cycle
     * @param allSettled every message is settled and none is left to read: only the current
     *                   cycle's file may be written to again, so every older one goes (the caller
     *                   has closed its appender and tailer on them, so that their space is freed)
     * @param keepIndex  otherwise, the Chronicle index of the oldest message still needed (the
     *                   floor, or the read position), or -1 if none was ever read: keep them all
     * @param diskAlarm  the disk alarm is raised: every damaged file goes, whatever its cycle
     */
    void retain(int nowCycle, boolean allSettled, long keepIndex, boolean diskAlarm) {
        int keepMessagesFrom;
        if (allSettled) {
            keepMessagesFrom = nowCycle;
        } else if (keepIndex >= 0) {
            keepMessagesFrom = messages.rollCycle().toCycle(keepIndex);
        } else {
            keepMessagesFrom = Integer.MIN_VALUE;
        }
        deleteCyclesBefore(messages, keepMessagesFrom);
        long cp = checkpointIndex.getVolatileValue();
        if (cp > 0) {
            deleteCyclesBefore(acks, acks.rollCycle().toCycle(cp));
        }
        deleteDamagedBefore(messages.file(), messages.rollCycle(), diskAlarm ? Integer.MAX_VALUE : keepMessagesFrom);
        int keepSettlesFrom = cp > 0 ? acks.rollCycle().toCycle(cp) : Integer.MIN_VALUE;
        deleteDamagedBefore(acks.file(), acks.rollCycle(), diskAlarm ? Integer.MAX_VALUE : keepSettlesFrom);
    }

    /**
     * Deletes the damaged files ({@code <cycle>.cq4.damaged}) in {@code dir} of cycles before
     * {@code cycle}.
     */
    private void deleteDamagedBefore(File dir, RollCycle rollCycle, int cycle) {
        if (cycle == Integer.MIN_VALUE) {
            return;
        }
        File[] files = dir.listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX + TailRepair.DAMAGED));
        for (File f : files == null ? new File[0] : files) {
            String n = f.getName();
            Integer c = cycleOf(rollCycle, n.substring(0, n.length() - TailRepair.DAMAGED.length()));
            if (c != null && c < cycle && f.delete()) {
                LOG.info("queue '{}': deleted {}, kept from a repair", name, f);
            }
        }
    }

    /**
     * Deletes every cycle file of the closed Chronicle queue in {@code dir}, the current cycle's too:
     * every message is settled, the disk is short of space, and the caller has checkpointed a
     * position that does not depend on the files' indexes and opens the queue again afterwards.
     */
    static void deleteCycleFiles(String name, Path dir, RollCycle rollCycle) {
        File[] files = dir.toFile().listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX)
                || n.endsWith(SingleChronicleQueue.SUFFIX + TailRepair.DAMAGED));
        for (File f : files == null ? new File[0] : files) {
            String n = f.getName();
            String stem = n.endsWith(TailRepair.DAMAGED) ? n.substring(0, n.length() - TailRepair.DAMAGED.length()) : n;
            if (cycleOf(rollCycle, stem) != null && f.delete()) {
                LOG.debug("queue '{}': deleted {}", name, f);
            }
        }
    }

    private void deleteCyclesBefore(SingleChronicleQueue queue, int cycle) {
        int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= cycle) {
            return;
        }
        File[] files = queue.file().listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX));
        boolean deleted = false;
        RollCycle rollCycle = queue.rollCycle();
        for (File f : files == null ? new File[0] : files) {
            Integer c = cycleOf(rollCycle, f.getName());
            if (c != null && c < cycle && f.delete()) {
                deleted = true;
                LOG.debug("queue '{}': deleted {}", name, f);
            }
        }
        if (deleted) {
            queue.refreshDirectoryListing();
        }
    }

    /** The cycle of {@code rollCycle} that a cycle file's name stands for, or null if it is not one. */
    static Integer cycleOf(RollCycle rollCycle, String fileName) {
        String stem = fileName.substring(0, fileName.length() - SingleChronicleQueue.SUFFIX.length());
        try {
            long millis = LocalDateTime.parse(stem, names(rollCycle)).toInstant(ZoneOffset.UTC).toEpochMilli();
            return (int) (millis / rollCycle.lengthInMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The name of the file of cycle {@code cycle} of {@code rollCycle}; the inverse of {@link #cycleOf}. */
    static String cycleFileName(RollCycle rollCycle, int cycle) {
        return names(rollCycle).format(Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis()))
                + SingleChronicleQueue.SUFFIX;
    }

    private static DateTimeFormatter names(RollCycle rollCycle) {
        return DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
    }
}
