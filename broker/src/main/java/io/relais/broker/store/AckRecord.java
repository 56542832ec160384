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
 *  |   Type = 1    |                                                  byte 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |  bytes 1-8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Payload Size                          |  bytes 9-16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The fields are packed, so the rows after the type byte start at byte 1; the two numbers are
 * signed 64-bit, little-endian (Chronicle's byte order). The record is 17 bytes.
 *
 * <p>Written by {@link MessageStore#settle} and read only by {@link StoreRecovery}. Stateless;
 * called on the store thread, like the rest of the store.
 *
 * @param seq  the sequence number of the settled message
 * @param size its payload size in bytes
 */
record AckRecord(long seq, long size) {
    /** The type byte that starts an ACK record. */
    static final byte TYPE = 1;

    /**
     * Writes an ACK record, type byte first, at the write position of {@code b}. Static, so that
     * settling allocates nothing.
     */
    static void write(Bytes<?> b, long seq, long size) {
        b.writeByte(TYPE);
        b.writeLong(seq);
        b.writeLong(size);
    }

    /** Reads an ACK record whose type byte the caller has already read. */
    static AckRecord read(Bytes<?> b) {
        long seq = b.readLong();
        long size = b.readLong();
        return new AckRecord(seq, size);
    }
}
