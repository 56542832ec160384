package io.relais.broker.store;

import java.nio.file.Path;
import java.util.HashSet;
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
 * <p>Run once, by the thread that opens the store, before the store is used; it closes the
 * tailers it creates, so that no Chronicle tailer is left bound to that thread. The result is then
 * read on that same thread.
 */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

    private long floor;
    private long positionIndex = -1;
    private long positionSeq = -1;
    private long settledCount;
    private long settledBytes;
    private long nextSeq;
    private long appendedBytes;
    private final Set<Long> settledAhead = new HashSet<>();

    private StoreRecovery() {
    }

    /**
     * Replays the settle log from the checkpoint at {@code checkpointIndex} (the whole log if it
     * is 0 or not found), then reads the last message.
     *
     * @param name the queue's name, and {@code dir} its store's directory, for messages
     * @throws StoreException if the settle log holds a record of unknown type
     */
    static StoreRecovery recover(SingleChronicleQueue messages, SingleChronicleQueue acks, long checkpointIndex,
                                 String name, Path dir) {
        StoreRecovery r = new StoreRecovery();
        r.replaySettleLog(acks, checkpointIndex, name, dir);
        r.readLastMessage(messages);
        return r;
    }

    private void replaySettleLog(SingleChronicleQueue acks, long checkpointIndex, String name, Path dir) {
        ExcerptTailer t = acks.createTailer();
        try {
            if (checkpointIndex > 0 && !t.moveToIndex(checkpointIndex)) {
                LOG.warn("queue '{}': checkpoint at index {} not found in {}; replaying the whole settle log", name,
                        Long.toHexString(checkpointIndex), acks.file());
                t.toStart();
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    byte type = b.readByte();
                    if (type == AckRecord.TYPE) {
                        apply(AckRecord.read(b));
                    } else if (type == CheckpointRecord.TYPE) {
                        apply(CheckpointRecord.read(b));
                    } else {
                        throw new StoreException("the settle log of queue '" + name + "' in " + acks.file()
                                + " has a record of unknown type " + type + " at index "
                                + Long.toHexString(dc.index()) + "; move the queue's directory " + dir
                                + " aside to start without its messages");
                    }
                }
            }
        } finally {
            t.close();
        }
        settledAhead.removeIf(seq -> seq < floor);
    }

    private void apply(AckRecord ack) {
        if (ack.seq() >= floor && settledAhead.add(ack.seq())) {
            settledCount++;
            settledBytes += ack.size();
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
        for (long seq : cp.settledAboveFloor()) {
            settledAhead.add(seq);
        }
    }

    /**
     * Takes the next sequence number and the appended-bytes total past the last message on disk,
     * which may be newer than the checkpoint.
     */
    private void readLastMessage(SingleChronicleQueue messages) {
        ExcerptTailer t = messages.createTailer().direction(TailerDirection.BACKWARD).toEnd();
        try (DocumentContext dc = t.readingDocument()) {
            if (dc.isPresent()) {
                MessageRecord last = new MessageRecord();
                last.readNumbers(dc.wire().bytes());
                nextSeq = Math.max(nextSeq, last.seq() + 1);
                appendedBytes = Math.max(appendedBytes, last.appendedBytes());
            }
        } finally {
            t.close();
        }
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
