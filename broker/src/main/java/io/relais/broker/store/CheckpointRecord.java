package io.relais.broker.store;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The CHECKPOINT record of a store's settle log ({@code acks/}): what recovery needs to resume
 * without replaying the settle log before it. One Chronicle document per record; the document's
 * own header is Chronicle's and not drawn.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+
 *  |   Type = 2    |                                                  byte 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                             Floor                             |  bytes 1-8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Position Index                         |  bytes 9-16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Position Seq                          |  bytes 17-24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Settled Count                         |  bytes 25-32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Settled Bytes                         |  bytes 33-40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Next Seq                            |  bytes 41-48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Appended Bytes                         |  bytes 49-56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Settled Above Floor (n)                   |  bytes 57-60
 *  +---------------------------------------------------------------+
 *  |                     Settled Sequence Number                   |  bytes 61-68,
 *  |                                                               |  n times
 *  +---------------------------------------------------------------+
 *  |                              ...                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The fields are packed, so the rows after the type byte start at byte 1. All numbers are signed
 * and little-endian (Chronicle's byte order): {@code n} is 32-bit, the others 64-bit. The record is
 * {@code 61 + 8n} bytes.
 *
 * <p>Written by {@link MessageStore} (every {@value MessageStore#CHECKPOINT_EVERY} settles, by its
 * periodic maintenance and when it closes) and read only by {@link StoreRecovery}. Immutable;
 * written and read on the store thread, like the rest of the store.
 *
 * @param floor             the oldest unsettled sequence number
 * @param positionIndex     Chronicle index of the message log to resume reading at, or -1
 * @param positionSeq       the sequence number of the message at {@code positionIndex}, or -1
 * @param settledCount      messages settled since the store was created
 * @param settledBytes      their payload bytes
 * @param nextSeq           the sequence number the next appended message gets
 * @param appendedBytes     payload bytes of all messages ever appended
 * @param settledAboveFloor the sequence numbers above the floor that are settled, in no order
 */
record CheckpointRecord(long floor, long positionIndex, long positionSeq, long settledCount, long settledBytes,
                        long nextSeq, long appendedBytes, long[] settledAboveFloor) {
    /** The type byte that starts a CHECKPOINT record. */
    static final byte TYPE = 2;

    /** Writes this record, type byte first, at the write position of {@code b}. */
    void write(Bytes<?> b) {
        b.writeByte(TYPE);
        b.writeLong(floor);
        b.writeLong(positionIndex);
        b.writeLong(positionSeq);
        b.writeLong(settledCount);
        b.writeLong(settledBytes);
        b.writeLong(nextSeq);
        b.writeLong(appendedBytes);
        b.writeInt(settledAboveFloor.length);
        for (long seq : settledAboveFloor) {
            b.writeLong(seq);
        }
    }

    /** Reads a CHECKPOINT record whose type byte the caller has already read. */
    static CheckpointRecord read(Bytes<?> b) {
        long floor = b.readLong();
        long positionIndex = b.readLong();
        long positionSeq = b.readLong();
        long settledCount = b.readLong();
        long settledBytes = b.readLong();
        long nextSeq = b.readLong();
        long appendedBytes = b.readLong();
        int n = b.readInt();
        if (n > b.readRemaining() / Long.BYTES) {
            throw new IllegalStateException("a CHECKPOINT record says it holds " + n
                    + " settled sequence numbers but has room for " + b.readRemaining() / Long.BYTES);
        }
        // A negative count reads as none.
        long[] settledAboveFloor = new long[Math.max(n, 0)];
        for (int i = 0; i < settledAboveFloor.length; i++) {
            settledAboveFloor[i] = b.readLong();
        }
        return new CheckpointRecord(floor, positionIndex, positionSeq, settledCount, settledBytes, nextSeq,
                appendedBytes, settledAboveFloor);
    }
}
