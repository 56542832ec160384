package io.relais.broker.store;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The ACK record of a store's settle log ({@code acks/}): message {@code seq}, whose payload was
 * {@code size} bytes, is settled (acknowledged, dropped, expired or dead-lettered). One Chronicle
 * document per record; the document's own header is Chronicle's and not drawn.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+
 *  |   Type = 3    |                                                  byte 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            CRC32C                             |  bytes 1-4
 *  +---------------------------------------------------------------+
 *  |                        Sequence Number                        |  bytes 5-12
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Payload Size                          |  bytes 13-20
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The fields are packed, so the rows after the type byte start at byte 5; all numbers are
 * little-endian (Chronicle's byte order): the CRC32C u32, over every byte of the record but its
 * own four, then the two signed 64-bit numbers. The record is 21 bytes, and its length is the
 * Chronicle document's: a document of another length is not an ACK record.
 *
 * <p><b>Format 1</b> (type 1), written by brokers before checksums, has no CRC: type 1, sequence
 * number, payload size, 17 bytes. It is still read, checked only for its length.
 *
 * <p>Written by {@link MessageStore#settle} and read only by {@link StoreRecovery} and
 * {@link TailRepair}. Stateless; called on the store thread, like the rest of the store.
 *
 * @param seq  the sequence number of the settled message
 * @param size its payload size in bytes
 */
record AckRecord(long seq, long size) {
    /** The type byte that starts an ACK record of format 2. */
    static final byte TYPE = 3;
    /** The type byte that starts an ACK record of format 1, without a checksum. */
    static final byte TYPE_V1 = 1;
    private static final int LENGTH = 21;
    private static final int LENGTH_V1 = 17;
    private static final int CHECKSUM_AT = 1;

    /**
     * Writes an ACK record, type byte first, at the write position of {@code b}. Static, so that
     * settling allocates nothing.
     */
    static void write(Bytes<?> b, RecordChecksum checksum, long seq, long size) {
        long start = b.writePosition();
        b.writeByte(TYPE);
        b.writeInt(0);
        b.writeLong(seq);
        b.writeLong(size);
        b.writeInt(start + CHECKSUM_AT, checksum.of(b, start, start + LENGTH, start + CHECKSUM_AT));
    }

    /** True if {@code type} is the type byte of an ACK record of either format. */
    static boolean isAck(int type) {
        return type == TYPE || type == TYPE_V1;
    }

    /**
     * Checks the ACK record between the read position and the read limit of {@code b}, without
     * moving them.
     *
     * @return null if it is valid, else what is wrong with it
     */
    static String check(Bytes<?> b, RecordChecksum checksum) {
        long start = b.readPosition();
        long length = b.readRemaining();
        boolean v2 = b.readByte(start) == TYPE;
        if (length != (v2 ? LENGTH : LENGTH_V1)) {
            return "an ACK record is " + (v2 ? LENGTH : LENGTH_V1) + " bytes long but its document holds " + length;
        }
        if (v2 && b.readInt(start + CHECKSUM_AT) != checksum.of(b, start, start + LENGTH, start + CHECKSUM_AT)) {
            return "the checksum of an ACK record does not match";
        }
        return null;
    }

    /** Reads an ACK record of either format that {@link #check} found valid, from its type byte on. */
    static AckRecord read(Bytes<?> b) {
        if (b.readByte() == TYPE) {
            b.readSkip(Integer.BYTES);
        }
        long seq = b.readLong();
        long size = b.readLong();
        return new AckRecord(seq, size);
    }
}
