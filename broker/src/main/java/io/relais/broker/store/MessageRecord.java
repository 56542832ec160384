package io.relais.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.frame.Publish;
import java.nio.ByteBuffer;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The record of one message in a store's message log ({@code messages/}): three numbers, then the
 * message as a protocol PUBLISH frame, encoded as on the wire so that the same codec reads it back
 * and properties and headers round-trip exactly. One Chronicle document per record; the document's
 * own header is Chronicle's and not drawn.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |  bytes 0-7
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Arrival Time (ms)                       |  bytes 8-15
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Appended Bytes                         |  bytes 16-23
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Frame Length (big-endian)                    |  bytes 24-27
 *  +---------------------------------------------------------------+
 *  |                 PUBLISH frame body (MessagePack)             ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The three numbers are signed 64-bit, little-endian (Chronicle's byte order): the message's
 * sequence number, its arrival time in epoch milliseconds, and the payload bytes of every message
 * up to and including this one. From byte 24 on the record is the frame exactly as on the wire
 * ({@code protocol-spec/PROTOCOL.md}): a big-endian u32 length that counts the body and the
 * payload, the MessagePack body, then the payload; the frame's own sequence number is 0.
 *
 * <p>Written by {@link MessageStore#append}; read by {@link MessageStore#readNext} and, for the
 * last record only, by {@link StoreRecovery}. {@link #write} and {@link #readFrame} are
 * stateless; an instance holds the numbers of the record it last read, for one reader on the store
 * thread.
 */
final class MessageRecord {
    private long seq;
    private long arrivalMillis;
    private long appendedBytes;

    /**
     * Writes a record at the write position of {@code b}.
     *
     * @param frameHeader the frame's length prefix and body, as {@code FrameEncoder.encodeHeader}
     *                    writes them, in a heap buffer
     * @param payload     the payload, copied from its reader index; the caller keeps its reference
     */
    static void write(Bytes<?> b, long seq, long arrivalMillis, long appendedBytes, ByteBuf frameHeader,
                      ByteBuf payload) {
        b.writeLong(seq);
        b.writeLong(arrivalMillis);
        b.writeLong(appendedBytes);
        b.write(frameHeader.array(), frameHeader.arrayOffset() + frameHeader.readerIndex(),
                frameHeader.readableBytes());
        int size = payload.readableBytes();
        if (size > 0 && payload.hasMemoryAddress()) {
            // One bulk copy from the receive buffer into the mapped file.
            b.unsafeWrite(payload.memoryAddress() + payload.readerIndex(), size);
        } else if (size > 0) {
            ByteBuffer nio = payload.nioBuffer(payload.readerIndex(), size);
            while (nio.hasRemaining()) {
                b.writeSome(nio);
            }
        }
    }

    /**
     * Reads the three numbers of the record at the read position of {@code b}, leaving it at the
     * frame.
     */
    void readNumbers(Bytes<?> b) {
        seq = b.readLong();
        arrivalMillis = b.readLong();
        appendedBytes = b.readLong();
    }

    /** The sequence number of the record last read. */
    long seq() {
        return seq;
    }

    /** The arrival time, in epoch milliseconds, of the record last read. */
    long arrivalMillis() {
        return arrivalMillis;
    }

    /** Payload bytes of every message up to and including the record last read. */
    long appendedBytes() {
        return appendedBytes;
    }

    /**
     * Reads the frame that follows the numbers: copies it from {@code b} into a new direct buffer
     * from {@code alloc} and decodes it in place.
     *
     * @return the frame, whose payload the caller must release
     * @throws RuntimeException if it is not a well-formed PUBLISH frame
     */
    static Publish readFrame(Bytes<?> b, ByteBufAllocator alloc, FrameDecoder decoder) {
        int n = (int) b.readRemaining();
        ByteBuf buf = alloc.directBuffer(n);
        try {
            if (buf.hasMemoryAddress()) {
                // One bulk copy from the mapped file; Bytes.read(ByteBuffer) copies byte by byte.
                b.unsafeRead(buf.memoryAddress(), n);
            } else {
                byte[] copy = new byte[n];
                b.read(copy);
                buf.setBytes(0, copy);
            }
            buf.writerIndex(n);
            return (Publish) decoder.decodeStored(buf);
        } finally {
            buf.release();
        }
    }
}
