package io.relais.broker.store;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state a {@link MessageStore} recovers when it opens: the latest {@link CheckpointRecord} of
 * the settle log and the {@link AckRecord}s after it, then the last {@link MessageRecord} of the
 * message log for the next sequence number. It never reads the other messages, so opening a store
 * does not take longer with a larger backlog.
 *
 * <p>Every record it uses is checked first (length and checksum, or the length alone for the
 * records of format 1, written before checksums), and so every count comes from a valid record,
 * never from a raw header or metadata value: a checkpoint index that does not lead to a valid
 * checkpoint means replaying the whole settle log; a damaged settle record is skipped (one WARN
 * line for all of them); the next sequence number comes from the last valid message record.
 * {@link TailRepair} has cut any damaged tail before this runs. If the cut took messages that the
 * checkpoint counted, they are counted as settled here ({@link #lostFrom()}, {@link #lostTo()}),
 * and settlements of sequence numbers past the new end are forgotten, so that the depth is right
 * and a sequence number given again is never taken for settled.
 *
 * <p>Run once, by the thread that opens the store, before the store is used; it closes the
 * tailers it creates, so that no Chronicle tailer is left bound to that thread. The result is then
 * read on that same thread.
 */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

    private final RecordChecksum checksum = new RecordChecksum();
    private long floor;
    private long positionIndex = -1;
    private long positionSeq = -1;
    private long settledCount;
    private long settledBytes;
    private long nextSeq;
    private long appendedBytes;
    private long lostFrom;
    private long lostTo;
    private final Set<Long> settledAhead = new HashSet<>();
    /** Payload sizes of the acks replayed after the checkpoint, of messages it did not count yet. */
    private final Map<Long, Long> ackedBeyondCheckpoint = new HashMap<>();
    private int damagedRecords;
    private String firstDamage;

    private StoreRecovery() {
    }

    /**
     * Replays the settle log from the checkpoint at {@code checkpointIndex} (the whole log if it
     * is 0 or does not lead to a valid checkpoint), then reads the last valid message.
     *
     * @param name the queue's name, and {@code dir} its store's directory, for messages
     */
    static StoreRecovery recover(SingleChronicleQueue messages, SingleChronicleQueue acks, long checkpointIndex,
                                 String name, Path dir) {
        StoreRecovery r = new StoreRecovery();
        r.replaySettleLog(acks, checkpointIndex, name);
        r.readLastMessage(messages);
        r.forgetBeyondEnd();
        if (r.damagedRecords > 0) {
            LOG.warn("queue '{}': skipped {} damaged records of its settle log {}, first {}; the messages they settled"
                    + " may be delivered again", name, r.damagedRecords, acks.file(), r.firstDamage);
        }
        return r;
    }

    /**
     * Checks the settle-log record at {@code b}'s read position, of any type, without moving it.
     *
     * @return null if it is a valid ACK or CHECKPOINT record, {@link TailRepair#CUT} for the mark of
     *     a record an earlier repair cut, else what is wrong with it
     */
    static String checkSettleRecord(Bytes<?> b, RecordChecksum checksum) {
        if (b.readRemaining() == 0) {
            return "it is empty";
        }
        if (TailRepair.isCut(b)) {
            return TailRepair.CUT;
        }
        int type = b.readByte(b.readPosition());
        if (AckRecord.isAck(type)) {
            return AckRecord.check(b, checksum);
        }
        if (CheckpointRecord.isCheckpoint(type)) {
            return CheckpointRecord.check(b, checksum);
        }
        return "it has the unknown record type " + type;
    }

    private void replaySettleLog(SingleChronicleQueue acks, long checkpointIndex, String name) {
        ExcerptTailer t = acks.createTailer();
        try {
            if (checkpointIndex > 0 && !atCheckpoint(t, checkpointIndex)) {
                LOG.warn("queue '{}': no valid checkpoint at index {} of {}; replaying the whole settle log", name,
                        Long.toHexString(checkpointIndex), acks.file());
                t.toStart();
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    String problem = checkSettleRecord(b, checksum);
                    if (problem == null) {
                        if (AckRecord.isAck(b.readByte(b.readPosition()))) {
                            apply(AckRecord.read(b));
                        } else {
                            apply(CheckpointRecord.read(b));
                        }
                    } else if (!problem.equals(TailRepair.CUT)) {
                        damaged(dc.index(), problem);
                    }
                }
            }
        } finally {
            t.close();
        }
        settledAhead.removeIf(seq -> seq < floor);
    }

    /** Moves {@code t} to the checkpoint at {@code index} if that is a valid one; false if not. */
    private boolean atCheckpoint(ExcerptTailer t, long index) {
        if (!t.moveToIndex(index)) {
            return false;
        }
        try (DocumentContext dc = t.readingDocument()) {
            boolean valid = dc.isPresent() && checkSettleRecord(dc.wire().bytes(), checksum) == null
                    && CheckpointRecord.isCheckpoint(dc.wire().bytes().readByte(dc.wire().bytes().readPosition()));
            dc.rollbackOnClose();
            if (!valid) {
                return false;
            }
        }
        return t.moveToIndex(index);
    }

    private void damaged(long index, String problem) {
        if (damagedRecords++ == 0) {
            firstDamage = "at index " + Long.toHexString(index) + ": " + problem;
        }
    }

    private void apply(AckRecord ack) {
        if (ack.seq() >= floor && settledAhead.add(ack.seq())) {
            settledCount++;
            settledBytes += ack.size();
            if (ack.seq() >= nextSeq) {
                ackedBeyondCheckpoint.put(ack.seq(), ack.size());
            }
        }
    }

    private void apply(CheckpointRecord cp) {
        floor = cp.floor();
        positionIndex = cp.positionIndex();
        positionSeq = cp.positionSeq();
        settledCount = cp.settledCount();
        settledBytes = cp.settledBytes();
        nextSeq = cp.nextSeq();
        appendedBytes = cp.appendedBytes();
        settledAhead.clear();
        ackedBeyondCheckpoint.clear();
        for (long seq : cp.settledAboveFloor()) {
            settledAhead.add(seq);
        }
    }

    /**
     * Takes the next sequence number and the appended-bytes total past the last valid message on
     * disk, which may be newer than the checkpoint; counts as settled the messages the checkpoint
     * counted that are no longer on disk.
     */
    private void readLastMessage(SingleChronicleQueue messages) {
        ExcerptTailer t = messages.createTailer().direction(TailerDirection.BACKWARD).toEnd();
        MessageRecord last = new MessageRecord();
        long lastSeq = -1;
        long lastAppended = 0;
        try {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (last.read(dc.wire().bytes(), checksum) == null) {
                        lastSeq = last.seq();
                        lastAppended = last.appendedBytes();
                        break;
                    }
                }
            }
        } finally {
            t.close();
        }
        if (lastSeq + 1 >= nextSeq) {
            nextSeq = lastSeq + 1;
            appendedBytes = Math.max(appendedBytes, lastAppended);
        } else {
            countLost(lastSeq + 1, lastAppended);
        }
    }

    /**
     * The checkpoint counted messages {@code [afterLast, nextSeq)} that are not on disk (a repair
     * cut them): counts those above the floor and not settled yet as settled. Their bytes are known only together, so
     * those of the unsettled ones are their share of the whole.
     */
    private void countLost(long afterLast, long lastAppended) {
        long from = Math.max(afterLast, floor);
        lostFrom = from;
        lostTo = nextSeq;
        long settledAlready = 0;
        for (long seq : settledAhead) {
            if (seq >= from) {
                settledAlready++;
            }
        }
        settledAhead.removeIf(seq -> seq >= from);
        long lost = lostTo - lostFrom;
        long unsettled = lost - settledAlready;
        long lostBytes = Math.max(0, appendedBytes - lastAppended);
        settledCount += unsettled;
        settledBytes += lostBytes / (nextSeq - afterLast) * unsettled;
        settledBytes = Math.min(settledBytes, appendedBytes);
    }

    /** Forgets settlements of sequence numbers at or past the end: the messages they settled are gone. */
    private void forgetBeyondEnd() {
        for (Map.Entry<Long, Long> e : ackedBeyondCheckpoint.entrySet()) {
            if (e.getKey() >= nextSeq && settledAhead.remove(e.getKey())) {
                settledCount--;
                settledBytes -= e.getValue();
            }
        }
        settledAhead.removeIf(seq -> seq >= nextSeq);
        settledCount = Math.min(settledCount, nextSeq);
        settledBytes = Math.max(0, Math.min(settledBytes, appendedBytes));
        floor = Math.min(floor, nextSeq);
    }

    /** The first sequence number that the checkpoint counted and a repair cut, or 0 if none. */
    long lostFrom() {
        return lostFrom;
    }

    /** One past the last sequence number that the checkpoint counted and a repair cut, or 0 if none. */
    long lostTo() {
        return lostTo;
    }

    /** The oldest unsettled sequence number. */
    long floor() {
        return floor;
    }

    /** Chronicle index of the message log to resume reading at, or -1 to read from the start. */
    long positionIndex() {
        return positionIndex;
    }

    /** The sequence number of the message at {@link #positionIndex}, or -1. */
    long positionSeq() {
        return positionSeq;
    }

    /** Messages settled since the store was created. */
    long settledCount() {
        return settledCount;
    }

    /** Payload bytes of the messages settled since the store was created. */
    long settledBytes() {
        return settledBytes;
    }

    /** The sequence number the next appended message gets. */
    long nextSeq() {
        return nextSeq;
    }

    /** Payload bytes of all messages ever appended. */
    long appendedBytes() {
        return appendedBytes;
    }

    /**
     * The sequence numbers at or above the floor that are settled; the store takes this set over
     * and empties it as it reads past them.
     */
    Set<Long> settledAhead() {
        return settledAhead;
    }
}
