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
 *  |   Type = 4    |                                                  byte 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            CRC32C                             |  bytes 1-4
 *  +---------------------------------------------------------------+
 *  |                             Floor                             |  bytes 5-12
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Position Index                         |  bytes 13-20
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Position Seq                          |  bytes 21-28
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Settled Count                         |  bytes 29-36
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Settled Bytes                         |  bytes 37-44
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Next Seq                            |  bytes 45-52
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Appended Bytes                         |  bytes 53-60
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Settled Above Floor (n)                   |  bytes 61-64
 *  +---------------------------------------------------------------+
 *  |                     Settled Sequence Number                   |  bytes 65-72,
 *  |                                                               |  n times
 *  +---------------------------------------------------------------+
 *  |                              ...                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The fields are packed, so the rows after the type byte start at byte 1. All numbers are
 * little-endian (Chronicle's byte order): the CRC32C is an unsigned 32-bit checksum over every byte
 * of the record but its own four, {@code n} is signed 32-bit, the others signed 64-bit. The record
 * is {@code 65 + 8n} bytes, and that must be the Chronicle document's length.
 *
 * <p><b>Format 1</b> (type 2), written by brokers before checksums, has no CRC: the same fields
 * from the floor on start at byte 1, {@code 61 + 8n} bytes. It is still read, checked only for its
 * length.
 *
 * <p>Written by {@link MessageStore} (every {@value MessageStore#CHECKPOINT_EVERY} settles, by its
 * periodic maintenance and when it closes) and read only by {@link StoreRecovery} and
 * {@link TailRepair}. Immutable;
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
    /** The type byte that starts a CHECKPOINT record of format 2. */
    static final byte TYPE = 4;
    /** The type byte that starts a CHECKPOINT record of format 1, without a checksum. */
    static final byte TYPE_V1 = 2;
    private static final int CHECKSUM_AT = 1;
    /** Bytes before the settled sequence numbers, in format 2. */
    private static final int FIXED = 65;
    private static final int FIXED_V1 = 61;

    /** Writes this record, type byte first, at the write position of {@code b}. */
    void write(Bytes<?> b, RecordChecksum checksum) {
        long start = b.writePosition();
        b.writeByte(TYPE);
        b.writeInt(0);
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
        b.writeInt(start + CHECKSUM_AT, checksum.of(b, start, b.writePosition(), start + CHECKSUM_AT));
    }

    /** True if {@code type} is the type byte of a CHECKPOINT record of either format. */
    static boolean isCheckpoint(int type) {
        return type == TYPE || type == TYPE_V1;
    }

    /**
     * Checks the CHECKPOINT record between the read position and the read limit of {@code b},
     * without moving them.
     *
     * @return null if it is valid, else what is wrong with it
     */
    static String check(Bytes<?> b, RecordChecksum checksum) {
        long start = b.readPosition();
        long length = b.readRemaining();
        boolean v2 = b.readByte(start) == TYPE;
        int fixed = v2 ? FIXED : FIXED_V1;
        if (length < fixed) {
            return "a CHECKPOINT record is at least " + fixed + " bytes long but its document holds " + length;
        }
        long n = b.readInt(start + fixed - Integer.BYTES);
        if (n < 0 || length != fixed + n * Long.BYTES) {
            return "a CHECKPOINT record says it holds " + n + " settled sequence numbers but its document holds "
                    + length + " bytes";
        }
        if (v2 && b.readInt(start + CHECKSUM_AT) != checksum.of(b, start, start + length, start + CHECKSUM_AT)) {
            return "the checksum of a CHECKPOINT record does not match";
        }
        return null;
    }

    /** Reads a CHECKPOINT record of either format that {@link #check} found valid, from its type byte on. */
    static CheckpointRecord read(Bytes<?> b) {
        if (b.readByte() == TYPE) {
            b.readSkip(Integer.BYTES);
        }
        long floor = b.readLong();
        long positionIndex = b.readLong();
        long positionSeq = b.readLong();
        long settledCount = b.readLong();
        long settledBytes = b.readLong();
        long nextSeq = b.readLong();
        long appendedBytes = b.readLong();
        int n = b.readInt();
        if (n < 0 || n > b.readRemaining() / Long.BYTES) {
            throw new IllegalStateException("a CHECKPOINT record says it holds " + n
                    + " settled sequence numbers but has room for " + b.readRemaining() / Long.BYTES);
        }
        long[] settledAboveFloor = new long[n];
        for (int i = 0; i < settledAboveFloor.length; i++) {
            settledAboveFloor[i] = b.readLong();
        }
        return new CheckpointRecord(floor, positionIndex, positionSeq, settledCount, settledBytes, nextSeq,
                appendedBytes, settledAboveFloor);
    }
}
