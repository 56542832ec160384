package io.relais.broker.store;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check, and if need be the repair, of the last cycle file of one of a store's two Chronicle
 * queues, run when the store opens, before anything else reads or writes it. A torn write (a crash
 * or a full disk while a record was written) or damage to the file can only be trusted to the
 * records' own checks ({@link MessageRecord#read}, {@link StoreRecovery#checkSettleRecord}), not
 * to Chronicle: a file cut short still has Chronicle's header saying where the next record goes,
 * past the hole, so that what is appended after restart is never read again; a record of zeros
 * reads as a complete document.
 *
 * <p>The check reads every record of the last file (at most one roll cycle of writes; older files
 * were complete when Chronicle rolled to the next one) and compares where the last readable
 * record is with where Chronicle's header says it is. If every record is valid and the two agree,
 * nothing is written. Otherwise the file is rewritten: the valid records are copied, in order and
 * byte for byte, into a new file of the same cycle, so that each keeps its Chronicle index; a
 * damaged record between valid ones becomes an empty document (skipped by every reader, and
 * keeping the indexes after it); everything after the last valid record is dropped. The damaged
 * file is kept beside it as {@code <cycle>.cq4.damaged} (Chronicle ignores it; {@link CycleRetention}
 * deletes it with the files of its cycle, or at once while the disk alarm is raised) and one WARN
 * line says what was cut and why. Chronicle has no call to truncate a file or to rewrite its
 * header, so copying is the one repair that stays within its API.
 *
 * <p>The copy is written to a memory-mapped file, so it first reserves its bytes in the store's
 * {@link DiskSpace} (the records kept, a new file's header and index, and the damaged file's size
 * where the file system has no hard links), at the message level. If they do not fit, or the copy
 * fails anyway (a fault on the mapping), nothing is changed: {@link #run} returns a
 * {@link Deferred} and the store opens unrepaired, refusing appends to that log (recovery stops at
 * the last valid record and readers skip damaged ones), and the next open tries again. A full disk
 * never makes a store refuse to open.
 *
 * <p>If the file's own header cannot be read, no record of it can: the whole file is set aside the
 * same way, and said so. If the queue cannot be opened at all (its {@code metadata.cq4t} is
 * damaged), the check throws a {@link StoreException} naming the directory: the store refuses to
 * open rather than guess.
 *
 * <p>Stateless; run on the thread that opens the store, which owns the queue's files then.
 */
final class TailRepair {
    private static final Logger LOG = LoggerFactory.getLogger(TailRepair.class);
    /** The suffix of the damaged file kept beside the repaired one. */
    static final String DAMAGED = ".damaged";
    /**
     * The one byte of the document that takes the place of a damaged record between valid ones
     * (Chronicle reads a document of length 0 as the end of the file, so it cannot be empty).
     */
    private static final byte CUT_MARK = 0;

    /** What a {@link RecordCheck} returns for the mark of a record cut by an earlier repair. */
    static final String CUT = "cut by an earlier repair";

    /**
     * A damaged last file left as it is, because its repair did not fit on the disk or failed.
     *
     * @param file     the damaged file
     * @param damage   what is wrong with it
     * @param needFree the free bytes the repair needs on the disk (its copy and the message level)
     * @param cause    the failure of the copy, or null if it did not fit
     */
    record Deferred(File file, String damage, long needFree, Throwable cause) {
        /** The free space the repair needs, in whole MiB, rounded up. */
        long needMib() {
            return (needFree + (1L << 20) - 1) >> 20;
        }
    }

    /** Checks one record, as {@link MessageRecord#read} or {@link StoreRecovery#checkSettleRecord} do. */
    interface RecordCheck {
        /** @return null if the record at {@code b}'s read position is valid, else what is wrong with it */
        String problem(Bytes<?> b, RecordChecksum checksum);
    }

    private final Path logDir;
    /** The log's roll cycle: a minute, or five for a store made before version 2. */
    private final RollCycle rollCycle;
    private final String what;
    private final String queueName;
    private final RecordCheck check;
    private final DiskSpace space;
    private final StoreFaults faults;
    private final RecordChecksum checksum = new RecordChecksum();

    private int records;
    private int lastValid = -1;
    private final BitSet damaged = new BitSet();
    private long firstDamagedIndex = -1;
    private String firstProblem;
    private long lastHeader = -1;
    private long keptEnd;
    private long writtenEnd;
    /** Where Chronicle's header says the last record starts. */
    private long chronicleEnd;

    private TailRepair(Path logDir, String what, String queueName, RecordCheck check, DiskSpace space,
                       StoreFaults faults) {
        this.logDir = logDir;
        this.space = space;
        this.faults = faults;
        this.rollCycle = MessageStore.rollCycleOf(logDir);
        this.what = what;
        this.queueName = queueName;
        this.check = check;
    }

    /**
     * Checks the last cycle file of the Chronicle queue in {@code logDir} and repairs it if it is
     * damaged.
     *
     * @param what      "message log" or "settle log", for the log line
     * @param queueName the queue's name, for the log line
     * @param space     the disk the repair's copy is reserved on
     * @param faults    the faults a test injects into the copy
     * @return null if the file is sound or was repaired; the damage left for the next open if the
     *         repair did not fit on the disk or failed
     * @throws StoreException if the queue cannot be opened
     */
    static Deferred run(Path logDir, String what, String queueName, RecordCheck check, DiskSpace space,
                        StoreFaults faults) {
        File[] files = logDir.toFile().listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX));
        if (files == null || files.length == 0) {
            return null;
        }
        return new TailRepair(logDir, what, queueName, check, space, faults).checkAndRepair(files);
    }

    private Deferred checkAndRepair(File[] files) {
        File newest = null;
        Integer newestCycle = null;
        for (File f : files) {
            Integer c = CycleRetention.cycleOf(rollCycle, f.getName());
            if (c != null && (newestCycle == null || c > newestCycle)) {
                newest = f;
                newestCycle = c;
            }
        }
        if (newest != null && !headerWritten(newest)) {
            // Chronicle would wait for whoever creates the file to write its header (10 s, each open).
            return repair(newestCycle, newest, "its header was never written");
        }
        int cycle;
        File file;
        String structure;
        SingleChronicleQueue queue;
        try {
            queue = MessageStore.build(logDir, SyncMode.NONE, System::currentTimeMillis, rollCycle);
        } catch (Exception | InternalError | AssertionError e) {
            throw refuse("Chronicle cannot open it (" + e + ")", e);
        }
        // Chronicle also throws checked exceptions it does not declare (StreamCorruptedException), hence Exception.
        try {
            cycle = queue.lastCycle();
            file = cycleFile(cycle);
            structure = walk(queue, cycle);
        } catch (Exception | InternalError | AssertionError e) {
            if (newest == null) {
                throw refuse("Chronicle cannot read it (" + e + ")", e);
            }
            // The header of the last file is unreadable, and so is every record in it.
            cycle = newestCycle;
            file = newest;
            structure = "Chronicle cannot read its header (" + e + ")";
        } finally {
            queue.close();
        }
        if (structure == null && damaged.isEmpty()) {
            return null;
        }
        return repair(cycle, file, structure);
    }

    /** Reads every record of the last cycle; returns what is wrong with the file's structure, or null. */
    private String walk(SingleChronicleQueue queue, int cycle) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToCycle(cycle)) {
                return "Chronicle finds no record in it";
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (queue.rollCycle().toCycle(dc.index()) != cycle) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long start = b.readPosition();
                    long end = b.readLimit();
                    String problem = check.problem(b, checksum);
                    if (problem != null && !problem.equals(CUT)) {
                        damaged.set(records);
                        if (firstProblem == null) {
                            firstProblem = problem;
                            firstDamagedIndex = dc.index();
                        }
                    } else {
                        lastValid = records;
                        keptEnd = end;
                    }
                    lastHeader = start - Integer.BYTES;
                    writtenEnd = end;
                    records++;
                }
            }
            SingleChronicleQueueStore store = queue.storeForCycle(cycle, 0, false, null);
            if (store == null) {
                return "Chronicle cannot open it";
            }
            try {
                long header = store.writePosition();
                chronicleEnd = header;
                if (records == 0 ? header != 0 : header != lastHeader) {
                    return "its header says the last record is at byte " + header + " but "
                            + (records == 0 ? "no record can be read" : "the last one that can be read is at byte "
                            + lastHeader);
                }
            } finally {
                queue.closeStore(store);
            }
            return null;
        } catch (Exception | InternalError | AssertionError e) {
            return "reading it failed after " + records + " records (" + e + ")";
        }
    }

    private Deferred repair(int cycle, File file, String structure) {
        Path damagedCopy = file.toPath().resolveSibling(file.getName() + DAMAGED);
        Path scratch = logDir.resolveSibling(logDir.getFileName() + ".repair");
        int kept = lastValid + 1;
        boolean linked = false;
        boolean replaced = false;
        long need = 0;
        try {
            deleteIfPresent(scratch);
            // Keep the damaged file by a second name first, then replace it in one rename: a crash in
            // between leaves it damaged, and the next open repairs it again.
            Files.deleteIfExists(damagedCopy);
            linked = link(damagedCopy, file.toPath());
            if (kept > 0) {
                need = keptEnd + DiskSpace.NEW_FILE_BYTES + (linked ? 0 : Files.size(file.toPath()));
                if (!space.reserveMessage(need)) {
                    return deferred(file, structure, need, null);
                }
                copyValid(cycle, scratch);
                if (!linked) {
                    Files.copy(file.toPath(), damagedCopy);
                }
                Files.move(scratch.resolve(file.getName()), file.toPath(), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } else if (linked) {
                Files.delete(file.toPath());
            } else {
                Files.move(file.toPath(), damagedCopy);
            }
            replaced = true;
        } catch (Exception | InternalError | AssertionError e) {
            // A fault on the copy's mapping (the disk filled anyway) or an I/O error: the file stays as it was.
            return deferred(file, structure, need, e);
        } finally {
            cleanUp(scratch, linked && !replaced ? damagedCopy : null);
            if (need > 0) {
                space.probe();
            }
        }
        int cut = records - kept;
        int emptied = damaged.get(0, Math.max(kept, 0)).cardinality();
        long cutBytes = Math.max(0, Math.max(writtenEnd, chronicleEnd) - keptEnd);
        LOG.warn("queue '{}': the last file of its {}, {}, was damaged ({}); cut it after its last valid record: kept {}"
                        + " records{}, cut {} readable records and {} bytes; the damaged file is kept as {}", queueName,
                what, file, reason(structure), kept - emptied,
                emptied > 0 ? " (and emptied " + emptied + " damaged ones between them)" : "", cut, cutBytes,
                damagedCopy.getFileName());
        return null;
    }

    private Deferred deferred(File file, String structure, long need, Throwable cause) {
        return new Deferred(file, reason(structure), need + space.messageLevel(), cause);
    }

    /** Deletes the scratch directory, and the second name of a damaged file left in place; never throws. */
    private void cleanUp(Path scratch, Path damagedLink) {
        try {
            deleteIfPresent(scratch);
            if (damagedLink != null) {
                Files.deleteIfExists(damagedLink);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("queue '{}': could not delete {} after checking its {} ({})", queueName, scratch, what,
                    e.toString());
        }
    }

    private String reason(String structure) {
        if (firstProblem != null) {
            String first = "the record at index " + Long.toHexString(firstDamagedIndex) + ": " + firstProblem;
            return structure == null ? first : structure + "; " + first;
        }
        return structure;
    }

    /** Copies records 0..lastValid of the cycle into a new queue in {@code scratch}, emptying damaged ones. */
    private void copyValid(int cycle, Path scratch) {
        long cycleStart = (long) cycle * rollCycle.lengthInMillis();
        TimeProvider time = () -> cycleStart;
        try (SingleChronicleQueue from = MessageStore.build(logDir, SyncMode.NONE, System::currentTimeMillis,
                rollCycle);
             SingleChronicleQueue to = MessageStore.build(scratch, SyncMode.SYNC, time, rollCycle);
             ExcerptTailer t = from.createTailer();
             ExcerptAppender a = to.createAppender()) {
            if (!t.moveToCycle(cycle)) {
                throw new IllegalStateException("cycle " + cycle + " is gone");
            }
            for (int i = 0; i <= lastValid; i++) {
                try (DocumentContext in = t.readingDocument()) {
                    if (!in.isPresent()) {
                        throw new IllegalStateException("record " + i + " of the cycle cannot be read again");
                    }
                    Bytes<?> b = in.wire().bytes();
                    try (DocumentContext out = a.writingDocument()) {
                        if (damaged.get(i)) {
                            out.wire().bytes().writeByte(CUT_MARK);
                        } else {
                            out.wire().bytes().write(b, b.readPosition(), b.readRemaining());
                        }
                    }
                    if (i == 0) {
                        faults.duringRepair(queueName);
                    }
                }
            }
            a.sync();
        }
    }

    /** False if the file is shorter than a document header or its first header is zero. */
    private static boolean headerWritten(File file) {
        try (RandomAccessFile f = new RandomAccessFile(file, "r")) {
            return f.length() >= Integer.BYTES && f.readInt() != 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True if the record at {@code b}'s read position is the mark a repair leaves of a damaged
     * record: skipped by readers, never reported again.
     */
    static boolean isCut(Bytes<?> b) {
        return b.readRemaining() == 1 && b.readByte(b.readPosition()) == CUT_MARK;
    }

    /**
     * True if {@code e}, or what caused it, is a fault on a mapping ({@link InternalError}) or an I/O
     * error: what a full or failing disk looks like, rather than a damaged file.
     */
    static boolean isDiskFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InternalError || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** A hard link {@code link} to {@code file}; false if the file system has none. */
    private static boolean link(Path link, Path file) {
        try {
            Files.createLink(link, file);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void deleteIfPresent(Path dir) throws IOException {
        if (Files.exists(dir)) {
            MessageStore.deleteFiles(dir);
        }
    }

    private File cycleFile(int cycle) {
        return logDir.resolve(CycleRetention.cycleFileName(rollCycle, cycle)).toFile();
    }

    private StoreException refuse(String problem, Throwable cause) {
        if (isDiskFault(cause)) {
            // A fault on a mapping or an I/O error: most likely the disk, full or failing, not the files.
            return new StoreException("the " + what + " of queue '" + queueName + "' in " + logDir
                    + " cannot be opened: " + problem + "; check the free space and the health of that disk, then"
                    + " start again (nothing of the queue is deleted)", cause);
        }
        return new StoreException("the " + what + " of queue '" + queueName + "' in " + logDir + " cannot be read: "
                + problem + "; its files are damaged: if the disk has room and is healthy, move the queue's"
                + " directory " + logDir.getParent() + " aside (the queue then starts empty) or restore it from a"
                + " backup", cause);
    }
}
