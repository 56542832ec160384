package io.relais.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.broker.core.RateLimitedLog;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Publish;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages of one durable queue on disk, in two Chronicle queues under the queue's directory.
 *
 * <pre>
 * DIR/messages/   the message log: one {@link MessageRecord} per message, in arrival order
 * DIR/acks/       the settle log: one {@link AckRecord} per settled message and, now and then, a
 *                 {@link CheckpointRecord}; metadata.cq4t holds the index of the latest checkpoint
 *                 ("checkpoint") and one more than the highest sequence number ever handed to a
 *                 consumer ("read").
 * </pre>
 *
 * Sequence numbers are dense from 0. A message is settled once acknowledged, dropped, expired or
 * dead-lettered; the floor is the oldest unsettled one. Every record carries a length and a CRC32C
 * and is checked before it is used; at open, {@link TailRepair} checks the last file of each log
 * and cuts a torn or damaged tail, then recovery ({@link StoreRecovery}) reads the
 * latest checkpoint and the acks after it (never the messages), so start-up time does not grow with
 * the backlog, and positions the reader at the checkpoint's position. Messages below the "read"
 * mark of the previous run may have been delivered before the restart and are returned flagged so.
 * Files roll every minute ({@link #ROLL_CYCLE}; stores created before that roll every five minutes
 * and keep doing so); {@link CycleRetention} deletes a file once every message in it is settled (so
 * disk use follows the backlog), the settle log's once a later checkpoint supersedes it.
 * This class appends, reads, settles and checkpoints; the {@link SettleWindow} tracks what was read
 * and not yet settled.
 *
 * <p>The disk: every write first reserves its bytes in the broker's {@link DiskSpace}, so that no
 * write can touch a page of a mapped file that the file system cannot back. A message that does not
 * fit is refused ({@link DiskFullException}); a settle record or checkpoint that does not fit is left
 * out (the settlement stays in memory and the next checkpoint that fits records it; a crash before
 * that brings the message back, at least once). A write that faults anyway (another process filled
 * the disk; an I/O error on the mapped file, which the JVM reports as {@link InternalError}) marks
 * the store failed: it logs that once, refuses every later append and records nothing more, so a
 * half-written file is never written after; the broker's next start recovers what is on disk.
 *
 * <p>Not thread-safe: Chronicle appenders and tailers belong to the thread that creates them, so
 * after {@link #open} (any thread; it leaves no appender or tailer behind) every method must run on
 * the store thread of its {@link StoredBacklog}, which also drives the helpers named above.
 */
public final class MessageStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);
    /** The roll cycle of stores created by this version: one file per minute and log. */
    static final RollCycle ROLL_CYCLE = LegacyRollCycles.MINUTELY;
    /** The roll cycle of stores created by earlier versions, which they keep. */
    static final RollCycle OLD_ROLL_CYCLE = RollCycles.FIVE_MINUTELY;
    /**
     * A message record's bytes besides its frame header and payload: three numbers, the marker,
     * length and checksum, Chronicle's header, padding.
     */
    private static final long MESSAGE_OVERHEAD = 3 * Long.BYTES + 3 * Integer.BYTES + 8;
    /** What an ack record adds to the settle log (its 21 bytes, Chronicle's header, padding). */
    private static final long ACK_BYTES = 32;
    private static final String CHECKPOINT_ID = "checkpoint";
    private static final String READ_MARK_ID = "read";
    /** Settles between checkpoints; bounds what recovery replays. */
    static final int CHECKPOINT_EVERY = 65_536;

    private final Path dir;
    private final String name;
    private final TimeProvider time;
    private final DiskSpace space;
    private final StoreFaults faults;
    private final RollCycle messageCycles;
    private final RollCycle ackCycles;
    /** The cycle the last append or settle-log write went to: a write in another one opens a file. */
    private int appendCycle = Integer.MIN_VALUE;
    private int ackCycle = Integer.MIN_VALUE;
    /** The first fault of a write; from then on the store appends nothing and records nothing. */
    private Throwable failure;
    /**
     * The damaged last file of the message log that {@link TailRepair} could not repair for want
     * of space (or whose repair failed), or null: appends are refused, so that Chronicle never
     * appends after the hole, while the valid messages are delivered and settled as usual.
     */
    private TailRepair.Deferred unrepaired;
    private boolean settlesRefused;
    /** Replaced by a fresh instance when {@link #reclaimCurrentFile} deletes the current file. */
    private SingleChronicleQueue messages;
    private final SyncMode sync;
    /** Told how long each {@link #sync()} took, in nanoseconds; the metrics' histogram. */
    private LongConsumer syncObserver = nanos -> { };
    private final SingleChronicleQueue acks;
    private ExcerptAppender ackAppender;
    private final LongValue checkpointIndex;
    private final LongValue readMark;
    private final long recoveredReadMark;
    private long deliveredMark;
    private final FrameDecoder decoder = new FrameDecoder(true, Integer.MAX_VALUE);
    private final ByteBuf header = Unpooled.buffer(256);
    private final MessageRecord lastRead = new MessageRecord();
    private CycleRetention retention;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    /** Reads ahead of {@link #tailer} once after opening, counting what the restart discards. */
    private ExcerptTailer scanTailer;
    private final MessageRecord scanned = new MessageRecord();
    /** Sequence numbers below this were looked at by {@link #scanRecovered}. */
    private long scanNext;
    private long scanPrevAppended = -1;
    private boolean scanDone;
    /** Non-persistent messages of the previous run that the scan found and the reader has not skipped yet. */
    private long discardAhead;
    private long discardAheadBytes;

    private final SettleWindow window;
    private final Set<Long> settledAhead;
    private final long recoveredEnd;
    /** Messages that recovery found cut from the log and already counted as settled. */
    private final long lostFrom;
    private final long lostTo;
    private long lastReadAppended = -1;
    private final RecordChecksum checksum = new RecordChecksum();
    // Per store, so that one queue's damage does not hide another's.
    private final RateLimitedLog damagedLines = RateLimitedLog.every(LOG);
    private final RateLimitedLog missingLines = RateLimitedLog.every(LOG);
    private final RateLimitedLog undecodableLines = RateLimitedLog.every(LOG);
    private long nextSeq;
    private long appendedBytes;
    private long settledCount;
    private long settledBytes;
    private long lastReadIndex;
    private long lastReadSeq;
    private int settlesSinceCheckpoint;
    private boolean floorMoved;
    private boolean dirty;

    private MessageStore(Path dir, String name, FsyncPolicy fsync, TimeProvider time, DiskSpace space,
                         StoreFaults faults) {
        this.dir = dir;
        this.name = name;
        this.time = time;
        this.space = space;
        this.faults = faults;
        this.sync = fsync.syncs() ? SyncMode.SYNC : SyncMode.NONE;
        // A torn or damaged tail is cut before Chronicle appends after it (TailRepair says why).
        TailRepair.Deferred damagedMessages = TailRepair.run(dir.resolve("messages"), "message log", name,
                new MessageRecord()::read, space, faults);
        TailRepair.Deferred damagedSettles = TailRepair.run(dir.resolve("acks"), "settle log", name,
                StoreRecovery::checkSettleRecord, space, faults);
        if (damagedMessages != null) {
            unrepaired = damagedMessages;
            logUnrepaired("message log", damagedMessages, "its valid messages are delivered and settled meanwhile,"
                    + " and publishes to the queue are refused");
        }
        if (damagedSettles != null) {
            // Nothing may be appended to the settle log after the hole: the store is failed from the start.
            failure = new StoreException("the last file of its settle log, " + damagedSettles.file()
                    + ", is damaged and not repaired yet");
            logUnrepaired("settle log", damagedSettles, "its messages are delivered meanwhile, publishes to the"
                    + " queue are refused and its settlements are kept in memory only (after a crash those"
                    + " messages are delivered again)");
        }
        this.messages = build(dir.resolve("messages"), sync, time);
        this.acks = build(dir.resolve("acks"), sync, time);
        this.messageCycles = messages.rollCycle();
        this.ackCycles = acks.rollCycle();
        this.checkpointIndex = acks.indexForId(CHECKPOINT_ID);
        this.readMark = acks.indexForId(READ_MARK_ID);
        StoreRecovery r = recoverOrClose(messages, acks, checkpointIndex, name, dir);
        // A raw metadata value: trusted only within the sequence numbers the valid records give.
        this.recoveredReadMark = Math.max(0, Math.min(readMark.getVolatileValue(), r.nextSeq()));
        this.deliveredMark = recoveredReadMark;
        this.lostFrom = r.lostFrom();
        this.lostTo = r.lostTo();
        this.window = new SettleWindow(r.floor());
        this.settledAhead = r.settledAhead();
        this.lastReadIndex = r.positionIndex();
        this.lastReadSeq = r.positionSeq();
        this.settledCount = r.settledCount();
        this.settledBytes = r.settledBytes();
        this.nextSeq = r.nextSeq();
        this.appendedBytes = r.appendedBytes();
        this.recoveredEnd = nextSeq;
        this.retention = new CycleRetention(name, messages, acks, checkpointIndex);
    }

    /** The one line that says a damaged last file was left unrepaired, and what the store does meanwhile. */
    private void logUnrepaired(String what, TailRepair.Deferred d, String meanwhile) {
        LOG.error("queue '{}': the last file of its {}, {}, is damaged ({}) and {}; it will be repaired at the next"
                        + " start once {} MiB are free on the disk of {} ({} MiB now); {}", name, what, d.file(),
                d.damage(), d.cause() == null ? "the disk has no room to repair it"
                        : "its repair failed (" + d.cause() + ")", d.needMib(), space.where(), space.free() >> 20,
                meanwhile);
    }

    /** Recovers; if that fails, closes both queues first, so that a store refused leaves no file mapped. */
    private static StoreRecovery recoverOrClose(SingleChronicleQueue messages, SingleChronicleQueue acks,
                                                LongValue checkpointIndex, String name, Path dir) {
        try {
            return StoreRecovery.recover(messages, acks, checkpointIndex.getVolatileValue(), name, dir);
        } catch (Exception | Error e) {
            // Exception too: Chronicle throws checked exceptions it does not declare.
            messages.close();
            acks.close();
            throw e;
        }
    }

    /**
     * Opens one of a store's two Chronicle queues, as every store does; the helpers' tests use it too.
     * A new queue rolls every {@link #ROLL_CYCLE}; one made by an earlier version keeps its
     * {@link #OLD_ROLL_CYCLE} ({@link #rollCycleOf}).
     */
    static SingleChronicleQueue build(Path path, SyncMode sync, TimeProvider time) {
        return build(path, sync, time, rollCycleOf(path));
    }

    /** Opens one of a store's Chronicle queues with the roll cycle {@code cycle} (for tests of old stores). */
    static SingleChronicleQueue build(Path path, SyncMode sync, TimeProvider time, RollCycle cycle) {
        return SingleChronicleQueueBuilder.binary(path)
                .rollCycle(cycle)
                .syncMode(sync)
                .timeProvider(time)
                .build();
    }

    /**
     * The roll cycle of the Chronicle queue in {@code path}: {@link #OLD_ROLL_CYCLE} if its metadata
     * or a cycle file says so (stores of earlier versions), else {@link #ROLL_CYCLE}. Chronicle would
     * take the cycle from the metadata anyway, with a warning per queue; asking for the right one
     * keeps start-up quiet.
     */
    static RollCycle rollCycleOf(Path path) {
        String oldFormat = OLD_ROLL_CYCLE.format();
        Path meta = path.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
        try {
            if (Files.isRegularFile(meta)) {
                byte[] head;
                try (InputStream in = Files.newInputStream(meta)) {
                    head = in.readNBytes(64 << 10);
                }
                return new String(head, StandardCharsets.ISO_8859_1).contains(oldFormat) ? OLD_ROLL_CYCLE
                        : ROLL_CYCLE;
            }
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    if (files.anyMatch(f -> f.getFileName().toString().endsWith("V" + SingleChronicleQueue.SUFFIX))) {
                        return OLD_ROLL_CYCLE;
                    }
                }
            }
        } catch (IOException e) {
            // Chronicle reads the metadata itself and reports what is wrong with it.
            return ROLL_CYCLE;
        }
        return ROLL_CYCLE;
    }

    /**
     * Opens (creating if needed) the store in {@code dir} and recovers its state. Run on the
     * owning thread.
     *
     * @param name the queue's name, for messages
     * @throws StoreException if the files cannot be opened or are inconsistent
     */
    public static MessageStore open(Path dir, String name, FsyncPolicy fsync) {
        return open(dir, name, fsync, DiskSpace.unlimited(), StoreFaults.NONE);
    }

    /**
     * Opens the store as {@link #open(Path, String, FsyncPolicy)} does, its writes checked against
     * {@code space} and injected with {@code faults}.
     */
    public static MessageStore open(Path dir, String name, FsyncPolicy fsync, DiskSpace space, StoreFaults faults) {
        return open(dir, name, fsync, System::currentTimeMillis, space, faults);
    }

    static MessageStore open(Path dir, String name, FsyncPolicy fsync, TimeProvider time) {
        return open(dir, name, fsync, time, DiskSpace.unlimited(), StoreFaults.NONE);
    }

    static MessageStore open(Path dir, String name, FsyncPolicy fsync, TimeProvider time, DiskSpace space,
                             StoreFaults faults) {
        try {
            Files.createDirectories(dir);
            return new MessageStore(dir, name, fsync, time, space, faults);
        } catch (InternalError e) {
            throw new StoreException("cannot open the message store of queue '" + name + "' in " + dir
                    + ": a fault on its memory-mapped files (" + e.getMessage() + "); check the free space and"
                    + " the health of that disk", e);
        } catch (IOException | RuntimeException | AssertionError e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            if (TailRepair.isDiskFault(e)) {
                throw new StoreException("cannot open the message store of queue '" + name + "' in " + dir + ": " + e
                        + "; check the free space and the health of that disk, then start again (nothing of the"
                        + " queue is deleted)", e);
            }
            // Chronicle throws what it likes on a damaged file: InternalError for a fault on a mapping, AssertionError
            // from its own checks when assertions are on.
            throw new StoreException("cannot open the message store of queue '" + name + "' in " + dir + ": " + e
                    + "; if its files are damaged, move the directory aside (the queue then starts empty) or restore"
                    + " it from a backup", e);
        }
    }

    private ExcerptAppender ackAppender() {
        if (ackAppender == null) {
            ackAppender = acks.createAppender();
        }
        return ackAppender;
    }

    private ExcerptTailer tailer() {
        if (tailer == null) {
            tailer = messages.createTailer();
            if (lastReadIndex >= 0 && tailer.moveToIndex(lastReadIndex)) {
                return tailer;
            }
            tailer.toStart();
        }
        return tailer;
    }

    // ------------------------------------------------------------------------------ writing

    /**
     * Appends a message and returns its sequence number. Its payload is copied; the caller keeps
     * its reference.
     *
     * @throws StoreException if it could not be written
     */
    public long append(String exchange, String routingKey, Properties properties, boolean persistent,
                       ByteBuf payload, long arrivalMillis) {
        if (failure != null) {
            throw new StoreException("the message store of queue '" + name + "' in " + dir + " failed earlier ("
                    + failure + "); it takes no more messages until the broker restarts");
        }
        if (unrepaired != null) {
            throw new StoreException("the last file of the message log of queue '" + name + "', " + unrepaired.file()
                    + ", is damaged and will be repaired at the next start once " + unrepaired.needMib()
                    + " MiB are free; the queue takes no new messages until then");
        }
        int size = payload.readableBytes();
        Publish frame = new Publish(0, exchange, routingKey, persistent ? Publish.PERSISTENT : 0, properties, payload);
        header.clear();
        FrameEncoder.encodeHeader(frame, header);
        int cycle = messageCycles.current(time, 0);
        long need = MESSAGE_OVERHEAD + header.readableBytes() + size + (cycle != appendCycle ? DiskSpace.NEW_FILE_BYTES
                : 0);
        if (!space.reserveMessage(need)) {
            throw new DiskFullException("the disk of " + space.where() + " is nearly full (" + (space.free() >> 20)
                    + " MiB free): queue '" + name + "' takes no new messages until space returns");
        }
        long seq = nextSeq;
        try {
            faults.beforeAppend(name);
            if (appender == null) {
                appender = messages.createAppender();
            }
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    MessageRecord.write(dc.wire().bytes(), checksum, seq, arrivalMillis, appendedBytes + size, header,
                            payload);
                } catch (RuntimeException e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            }
        } catch (RuntimeException | InternalError e) {
            throw fail("append a message to", e);
        }
        appendCycle = cycle;
        nextSeq = seq + 1;
        appendedBytes += size;
        dirty = true;
        return seq;
    }

    /**
     * Appends a message that its queue holds in memory and gives out from there (write-behind,
     * {@link StoredBacklog}), and counts it as read at once: {@link #readNext} never returns it, and
     * it is settled like any message read. The read mark covers it before it is written, so that after
     * a crash it comes back flagged as possibly delivered (it may have reached a consumer before it
     * was written). Only while nothing appended is unread ({@link #hasUnread()} false), so that the
     * messages counted as read stay a prefix of the log. Its payload is copied; the caller keeps its
     * reference.
     *
     * @throws StoreException if it could not be written
     * @throws IllegalStateException if messages appended earlier are still unread
     */
    public long appendHeld(String exchange, String routingKey, Properties properties, boolean persistent,
                           ByteBuf payload, long arrivalMillis) {
        if (hasUnread()) {
            throw new IllegalStateException("queue '" + name + "': a held message is appended while " + (nextSeq
                    - window.end()) + " appended messages are unread");
        }
        delivering(nextSeq);
        long seq = append(exchange, routingKey, properties, persistent, payload, arrivalMillis);
        long index = appender.lastIndexAppended();
        window.add(index, false);
        lastReadIndex = index;
        lastReadSeq = seq;
        lastReadAppended = appendedBytes;
        if (tailer != null) {
            // Positioned before this record: the next read starts again from the last one read (it
            // skips that one), rather than passing over every record appended this way.
            tailer.close();
            tailer = null;
        }
        return seq;
    }

    /** Bytes of the mapped files this store's checksum has copied through its own small buffer so far (for tests). */
    long checksumStagedBytes() {
        return checksum.stagedBytes();
    }

    /** True once a write faulted: the store appends and records nothing more until reopened. */
    public boolean failed() {
        return failure != null;
    }

    /**
     * True if the store takes no new messages until reopened: it failed, or the last file of its
     * message log is damaged and could not be repaired when it opened (its valid messages are still
     * delivered and settled).
     */
    public boolean refusesAppends() {
        return failure != null || unrepaired != null;
    }

    /**
     * Marks the store failed after a fault while it tried to {@code what} its files; logs once.
     *
     * @return the exception to throw to the caller
     */
    private StoreException fail(String what, Throwable e) {
        if (failure == null) {
            failure = e;
            LOG.error("queue '{}': could not {} its store in {} ({}); the store is marked failed: publishes to the "
                    + "queue are refused with STORE_FAILED and its settlements are no longer recorded until the "
                    + "broker restarts, which recovers what is on disk", name, what, dir, e.toString());
        }
        return new StoreException("cannot " + what + " the message store of queue '" + name + "' in " + dir + ": "
                + e, e);
    }

    /** Logs, once per change, that settle records are left out for want of space, or written again. */
    private void settlesFit(boolean fit) {
        if (fit == settlesRefused) {
            settlesRefused = !fit;
            if (fit) {
                LOG.info("queue '{}': settlements are recorded again", name);
            } else {
                LOG.warn("queue '{}': the disk of {} is below its last reserve ({} MiB); settlements are kept in "
                        + "memory until a checkpoint fits (a crash before that delivers them again)", name,
                        space.where(), space.lastReserve() >> 20);
            }
        }
    }

    /** Forces what was written since the last sync to the disk (msync), messages and settles. */
    public void sync() {
        if (dirty) {
            dirty = false;
            long start = System.nanoTime();
            try {
                if (appender != null) {
                    appender.sync();
                }
                if (ackAppender != null) {
                    ackAppender.sync();
                }
            } catch (RuntimeException | InternalError e) {
                throw fail("sync", e);
            }
            syncObserver.accept(System.nanoTime() - start);
        }
    }

    /** {@code observer} is told how long every sync takes from now on, in nanoseconds, on the store thread. */
    public void observeSyncs(LongConsumer observer) {
        this.syncObserver = observer;
    }

    // ------------------------------------------------------------------------------ reading

    /** True if messages were appended that {@link #readNext} has not returned or skipped yet. */
    public boolean hasUnread() {
        return nextSeq > window.end();
    }

    /**
     * Reads the next unsettled message, skipping those settled before a restart, the
     * non-persistent ones a restart discarded, and damaged records (each kind of damage logged at
     * most once per {@link RateLimitedLog#DEFAULT_WINDOW}). Missing sequence numbers, however many,
     * are counted as settled at once, in one log line.
     *
     * @return the message, whose payload is a new buffer from {@code alloc}, or null if none
     */
    public StoredMessage readNext(ByteBufAllocator alloc) {
        ExcerptTailer t = tailer();
        while (hasUnread()) {
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                long index = dc.index();
                Bytes<?> b = dc.wire().bytes();
                // The frame is copied once out of the mapped file and the checksum computed over the
                // copy, so that its bytes are read once, not once for the check and again for the copy.
                String problem = lastRead.readHead(b);
                if (problem == null && lastRead.seq() < window.end()) {
                    // Read or settled already (the record the reader starts again from, a message appended
                    // as read): skipped without copying it.
                    continue;
                }
                ByteBuf copy = null;
                if (problem == null) {
                    copy = MessageRecord.copyFrame(b, alloc);
                    problem = lastRead.verify(b, copy, checksum);
                }
                try {
                    if (problem != null) {
                        if (!problem.equals(TailRepair.CUT)) {
                            damagedLines.error("queue '{}': the record at index {} of {} is damaged ({}); skipping it",
                                    name, Long.toHexString(index), messages.file(), problem);
                        }
                        continue;
                    }
                    StoredMessage m = accept(index, copy);
                    if (m != null) {
                        return m;
                    }
                } finally {
                    if (copy != null) {
                        copy.release();
                    }
                }
            }
        }
        return null;
    }

    /**
     * The record {@link #lastRead} holds, at {@code index}, checked, with {@code frame} the copy of its frame:
     * the message to deliver, or null if it is skipped (settled, discarded by a restart, undecodable). The
     * returned message's payload is a retained slice of {@code frame}, which the caller still releases.
     */
    private StoredMessage accept(long index, ByteBuf frame) {
        long seq = lastRead.seq();
        if (seq < window.end()) {
            return null;
        }
        if (seq >= nextSeq) {
            damagedLines.error("queue '{}': the record at index {} of {} says it is message {}, but the store ends"
                    + " at {}; skipping it", name, Long.toHexString(index), messages.file(), seq, nextSeq);
            return null;
        }
        lastReadIndex = index;
        lastReadSeq = seq;
        if (window.end() < seq) {
            missing(index, seq);
        }
        lastReadAppended = lastRead.appendedBytes();
        if (settledAhead.remove(seq)) {
            window.add(index, true);
            return null;
        }
        StoredMessage m;
        try {
            Publish decoded = (Publish) decoder.decodeStored(frame);
            m = new StoredMessage(seq, lastRead.arrivalMillis(), decoded, seq < recoveredReadMark);
        } catch (RuntimeException e) {
            undecodableLines.error("queue '{}': message {} in {} cannot be decoded ({}); dropping it", name, seq,
                    messages.file(), e.toString());
            window.add(index, false);
            settle(seq, 0);
            return null;
        }
        window.add(index, false);
        if (seq < recoveredEnd && (m.frame().flags() & Publish.PERSISTENT) == 0) {
            // A restart discards non-persistent messages, as it would have in memory.
            int discardedSize = m.frame().payload().readableBytes();
            if (seq < scanNext && discardAhead > 0) {
                // Already left out of count() by the scan.
                discardAhead--;
                discardAheadBytes = Math.max(0, discardAheadBytes - discardedSize);
            }
            settle(seq, discardedSize);
            m.frame().payload().release();
            return null;
        }
        return m;
    }

    /**
     * Messages {@code [window.end(), seq)} are not in the log (a record was damaged or cut): counts
     * those not counted yet as settled and moves past them, in one step and one log line.
     */
    private void missing(long index, long seq) {
        long from = window.end();
        long n = seq - from;
        long counted = Math.max(0, Math.min(seq, lostTo) - Math.max(from, lostFrom));
        long settledBefore = 0;
        if (!settledAhead.isEmpty()) {
            for (Iterator<Long> i = settledAhead.iterator(); i.hasNext(); ) {
                long s = i.next();
                if (s >= from && s < seq) {
                    i.remove();
                    if (s < lostFrom || s >= lostTo) {
                        settledBefore++;
                    }
                }
            }
        }
        long uncounted = n - counted - settledBefore;
        if (uncounted > 0) {
            settledCount += uncounted;
            if (lastReadAppended >= 0) {
                // Only the bytes of the whole gap and this message are known: their share.
                settledBytes += Math.max(0, lastRead.appendedBytes() - lastReadAppended) / (n + 1) * uncounted;
            }
            missingLines.error("queue '{}': messages {} to {} ({} of them) are missing from {}; counting them as settled",
                    name, from, seq - 1, n, messages.file());
        }
        window.addSettled(index, n);
        if (window.advance()) {
            floorMoved = true;
        }
    }

    /**
     * At a clean close: the read mark goes back to just above {@code lastDelivered}, the highest
     * sequence number handed to a consumer in this run (-1 for none), so that messages read ahead
     * and never delivered are not flagged next time; those flagged at this run's start stay flagged.
     */
    public void lowerReadMark(long lastDelivered) {
        deliveredMark = Math.max(recoveredReadMark, lastDelivered + 1);
        setReadMark();
    }

    /** The read mark is one value in the settle log's metadata, on a page written when it was made. */
    private void setReadMark() {
        if (failure != null) {
            return;
        }
        try {
            readMark.setOrderedValue(deliveredMark);
        } catch (RuntimeException | InternalError e) {
            fail("move the read mark of", e);
        }
    }

    /**
     * Notes that messages up to {@code seq} may be handed to a consumer from now on (they were read
     * for delivery), so that after a crash they come back flagged as possibly delivered. One
     * ordered store into the mapped metadata file, which survives {@code kill -9} like the messages.
     */
    public void delivering(long seq) {
        if (seq >= deliveredMark) {
            deliveredMark = seq + 1;
            setReadMark();
        }
    }

    // ------------------------------------------------------------------------------ settling

    /**
     * Records that a message read from this store was acknowledged, dropped, expired or
     * dead-lettered; it is never read again, even after a restart. Settling one twice is a no-op.
     *
     * @param size its payload size
     */
    public void settle(long seq, int size) {
        if (!window.settle(seq)) {
            return;
        }
        settledCount++;
        settledBytes += size;
        if (window.advance()) {
            floorMoved = true;
        }
        settlesSinceCheckpoint++;
        writeAck(seq, size);
        if (settlesSinceCheckpoint % CHECKPOINT_EVERY == 0) {
            checkpoint();
        }
    }

    /** Appends the ack record of a settlement, if the store is healthy and the disk has room for it. */
    private void writeAck(long seq, int size) {
        if (failure != null) {
            return;
        }
        int cycle = ackCycles.current(time, 0);
        if (!space.reserveSettle(ACK_BYTES + (cycle != ackCycle ? DiskSpace.NEW_FILE_BYTES : 0))) {
            settlesFit(false);
            return;
        }
        try {
            faults.beforeSettle(name);
            try (DocumentContext dc = ackAppender().writingDocument()) {
                AckRecord.write(dc.wire().bytes(), checksum, seq, size);
            }
        } catch (RuntimeException | InternalError e) {
            fail("record a settlement in", e);
            return;
        }
        ackCycle = cycle;
        dirty = true;
    }

    /**
     * Looks ahead of the reader, once after opening, for the non-persistent messages of the previous
     * run, which the reader will skip (a restart discards them): they leave {@link #count} and
     * {@link #bytes} as they are found, so that the queue's depth is right long before the reader
     * gets to them. Reads at most {@code max} records per call, the head of each frame only; the
     * caller calls again until it returns true. Settled and damaged records are passed over as the
     * reader passes them.
     *
     * @return true once everything recovered was looked at (or the store failed)
     */
    public boolean scanRecovered(int max) {
        if (scanDone) {
            return true;
        }
        if (failure != null || recoveredEnd <= window.end()) {
            return finishScan();
        }
        if (scanTailer == null) {
            scanTailer = messages.createTailer();
            if (lastReadIndex < 0 || !scanTailer.moveToIndex(lastReadIndex)) {
                scanTailer.toStart();
            }
        }
        for (int n = 0; n < max; n++) {
            try (DocumentContext dc = scanTailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return finishScan();
                }
                Bytes<?> b = dc.wire().bytes();
                if (scanned.read(b, checksum) != null) {
                    continue;
                }
                long seq = scanned.seq();
                if (seq >= recoveredEnd) {
                    return finishScan();
                }
                long appended = scanned.appendedBytes();
                long size = scanPrevAppended >= 0 ? Math.max(0, appended - scanPrevAppended) : 0;
                scanPrevAppended = appended;
                if (seq < window.end() || seq < scanNext || settledAhead.contains(seq)) {
                    continue;
                }
                scanNext = seq + 1;
                int flags = MessageRecord.publishFlags(b);
                if (flags >= 0 && (flags & Publish.PERSISTENT) == 0) {
                    discardAhead++;
                    discardAheadBytes += size;
                }
            }
        }
        return false;
    }

    private boolean finishScan() {
        scanDone = true;
        if (scanTailer != null) {
            scanTailer.close();
            scanTailer = null;
        }
        return true;
    }

    /** Messages stored and not settled. */
    public long count() {
        return nextSeq - settledCount - discardAhead;
    }

    /** Payload bytes of the messages stored and not settled. */
    public long bytes() {
        // Bytes of messages lost to damage are known only roughly (readNext, StoreRecovery).
        return Math.max(0, appendedBytes - settledBytes - discardAheadBytes);
    }

    /**
     * Periodic housekeeping: writes a checkpoint if the floor moved, then deletes files that hold
     * only settled messages or superseded settles.
     */
    public void maintain() {
        int nowCycle = ackCycles.current(time, 0);
        // A checkpoint in the current cycle also lets an older settle-log file go.
        boolean oldSettleLog = acks.firstCycle() < nowCycle;
        if (floorMoved || settlesSinceCheckpoint > 0 || oldSettleLog) {
            checkpoint();
        }
        retain();
    }

    /** Writes a checkpoint if the store is healthy and the disk has room; true if it did. */
    private boolean checkpoint() {
        if (failure != null) {
            return false;
        }
        long positionIndex;
        long positionSeq;
        if (!window.isEmpty()) {
            positionIndex = window.floorIndex();
            positionSeq = window.floor();
        } else {
            positionIndex = lastReadIndex;
            positionSeq = lastReadSeq;
        }
        long[] inWindow = window.settledAboveFloor();
        long[] ahead = Arrays.copyOf(inWindow, inWindow.length + settledAhead.size());
        int i = inWindow.length;
        for (long seq : settledAhead) {
            ahead[i++] = seq;
        }
        CheckpointRecord cp = new CheckpointRecord(window.floor(), positionIndex, positionSeq, settledCount,
                settledBytes, nextSeq, appendedBytes, ahead);
        int cycle = ackCycles.current(time, 0);
        long need = 16 * Long.BYTES + (long) Long.BYTES * ahead.length
                + (cycle != ackCycle ? DiskSpace.NEW_FILE_BYTES : 0);
        if (!space.reserveSettle(need)) {
            // Kept for later: the next maintenance tries again, as the floor still counts as moved.
            settlesFit(false);
            return false;
        }
        try {
            faults.beforeCheckpoint(name);
            try (DocumentContext dc = ackAppender().writingDocument()) {
                cp.write(dc.wire().bytes(), checksum);
            }
            long index = ackAppender().lastIndexAppended();
            checkpointIndex.setOrderedValue(index);
        } catch (RuntimeException | InternalError e) {
            fail("write a checkpoint to", e);
            return false;
        }
        ackCycle = cycle;
        settlesFit(true);
        dirty = true;
        settlesSinceCheckpoint = 0;
        floorMoved = false;
        return true;
    }

    /**
     * Lets go of the message-log files that hold only settled messages ({@link CycleRetention}),
     * and of the settle-log files before the checkpoint.
     */
    private void retain() {
        int nowCycle = messageCycles.current(time, 0);
        boolean allSettled = window.isEmpty() && !hasUnread() && settledAhead.isEmpty();
        if (allSettled) {
            // Only the current cycle's file may be written to again: close what holds older ones.
            if (appender != null && appender.cycle() < nowCycle) {
                appender.close();
                appender = null;
            }
            if (tailer != null && tailer.cycle() < nowCycle) {
                tailer.close();
                tailer = null;
            }
            finishScan();
            if (space.alarm() && messages.lastCycle() == nowCycle) {
                reclaimCurrentFile();
                return;
            }
        }
        retention.retain(nowCycle, allSettled, window.isEmpty() ? lastReadIndex : window.floorIndex(), space.alarm());
    }

    /**
     * While the disk alarm is raised and every message is settled, lets the current cycle's file go
     * too, instead of waiting up to a cycle for it to roll: closes the appender and reader, writes a
     * checkpoint that reads from the start of the log (the next append creates the cycle's file
     * again, so its Chronicle indexes start over and none of the old ones may be used), then deletes
     * every message file. Without room for that checkpoint it deletes nothing.
     */
    private void reclaimCurrentFile() {
        finishScan();
        if (appender != null) {
            appender.close();
            appender = null;
        }
        if (tailer != null) {
            tailer.close();
            tailer = null;
        }
        lastReadIndex = -1;
        lastReadSeq = -1;
        if (!checkpoint()) {
            return;
        }
        sync();
        appendCycle = Integer.MIN_VALUE;
        // The queue is closed and opened again around the deletion: Chronicle caches the mapping of
        // the current cycle's file, and a new appender of the same instance could go on writing into
        // the deleted (unlinked) file, whose records nobody would ever read again.
        Path messagesDir = messages.file().toPath();
        messages.close();
        CycleRetention.deleteCycleFiles(name, messagesDir, messageCycles);
        try {
            messages = build(messagesDir, sync, time);
        } catch (RuntimeException | InternalError e) {
            throw fail("open again the message log of", e);
        }
        retention = new CycleRetention(name, messages, acks, checkpointIndex);
        if (unrepaired != null) {
            unrepaired = null;
            LOG.info("queue '{}': the damaged file of its message log was deleted with its settled messages; the"
                    + " queue takes messages again", name);
        }
    }

    /**
     * The directory of a queue's store under {@code root}: its name with characters other than
     * letters, digits, '.', '_' and '-' replaced (at most 64 of them), then 16 hex digits of the
     * name's SHA-256, so that distinct names never share a directory.
     */
    public static Path directoryFor(Path root, String queueName) {
        StringBuilder safe = new StringBuilder();
        for (int i = 0; i < queueName.length() && safe.length() < 64; i++) {
            char c = queueName.charAt(i);
            boolean plain = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            safe.append(plain && !(i == 0 && c == '.') ? c : '_');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(queueName.getBytes(StandardCharsets.UTF_8));
            return root.resolve(safe + "-" + HexFormat.of().formatHex(hash, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    // ------------------------------------------------------------------------------ lifecycle

    /** Writes a checkpoint, syncs and closes the files. */
    @Override
    public void close() {
        try {
            checkpoint();
            if (failure == null) {
                sync();
            }
        } finally {
            closeFiles();
        }
    }

    private void closeFiles() {
        finishScan();
        if (appender != null) {
            appender.close();
        }
        if (tailer != null) {
            tailer.close();
        }
        if (ackAppender != null) {
            ackAppender.close();
        }
        messages.close();
        acks.close();
        header.release();
    }

    /** Closes the store and deletes its directory: the queue was deleted. */
    public void delete() {
        closeFiles();
        try {
            deleteFiles(dir);
        } catch (IOException e) {
            LOG.warn("queue '{}': could not delete {}: {}", name, dir, e.toString());
        }
    }

    /** Deletes a store's directory and everything in it; the store must not be open. */
    public static void deleteFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "message store of queue '" + name + "' in " + dir;
    }
}
