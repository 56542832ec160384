package io.relais.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.frame.Publish;
import java.nio.ByteBuffer;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The record of one message in a store's message log ({@code messages/}): three numbers, a format
 * marker, the record's length and checksum, then the message as a protocol PUBLISH frame, encoded
 * as on the wire so that the same codec reads it back and properties and headers round-trip
 * exactly. One Chronicle document per record; the document's own header is Chronicle's and not
 * drawn.
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
 *  +---------------+---------------+---------------+---------------+
 *  |     0xFF      |   0x52 'R'    |   0x4D 'M'    |   Format=2    |  bytes 24-27
 *  +---------------+---------------+---------------+---------------+
 *  |                        Record Length                          |  bytes 28-31
 *  +---------------------------------------------------------------+
 *  |                           CRC32C                              |  bytes 32-35
 *  +---------------------------------------------------------------+
 *  |                  Frame Length (big-endian)                    |  bytes 36-39
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
 * up to and including this one. The record length (u32, little-endian) counts the whole record,
 * from byte 0 to the end of the payload, and must equal the Chronicle document's length. The
 * CRC32C (u32, little-endian) covers every byte of the record except its own four. From byte 36
 * on the record is the frame exactly as on the wire ({@code protocol-spec/PROTOCOL.md}): a
 * big-endian u32 length that counts the body and the payload, the MessagePack body, then the
 * payload; the frame's own sequence number is 0.
 *
 * <p><b>Format 1</b>, written by brokers before checksums, has no bytes 24-35: its frame (and so
 * its big-endian frame length) starts at byte 24. A frame length is less than 2^30 (a Chronicle
 * document is smaller than 1 GiB), so its first byte is never {@code 0xFF}: byte 24 tells the two
 * formats apart. A format 1 record is still read; having no checksum, it is only checked for a
 * frame length that matches the document's length, and a frame that decodes. A document of one
 * zero byte is the mark of a damaged record that recovery cut ({@link TailRepair}), and is skipped.
 *
 * <p>Written by {@link MessageStore#append}; read by {@link MessageStore#readNext},
 * {@link TailRepair} and, for the last valid record only, by {@link StoreRecovery}. {@link #write}
 * and {@link #copyFrame} are stateless; an instance holds the numbers of the record it last read,
 * for one reader on the store thread.
 */
final class MessageRecord {
    /** Byte 24 of a format 2 record, never the first byte of a format 1 record's frame length. */
    private static final int MARKER_BYTE = 0xFF;
    /** Bytes 24-27 of a format 2 record, as Chronicle's little-endian int: FF 52 4D 02. */
    private static final int MARKER = 0x024D52FF;
    private static final int NUMBERS = 24;
    private static final int LENGTH_AT = 28;
    private static final int CHECKSUM_AT = 32;
    /** Where the frame starts in a format 2 record. */
    static final int FRAME_AT = 36;
    private static final int FRAME_PREFIX = 4;

    private static final String CHECKSUM_MISMATCH = "its checksum does not match";

    /** Where the record last read starts in its document, and its length. */
    private long start;
    private long length;
    private long seq;
    private long arrivalMillis;
    private long appendedBytes;
    private int format;

    /**
     * Writes a format 2 record at the write position of {@code b}: the numbers and the frame, then
     * its length and checksum over what was written.
     *
     * @param frameHeader the frame's length prefix and body, as {@code FrameEncoder.encodeHeader}
     *                    writes them, in a heap buffer
     * @param payload     the payload, copied from its reader index; the caller keeps its reference
     */
    static void write(Bytes<?> b, RecordChecksum checksum, long seq, long arrivalMillis, long appendedBytes,
                      ByteBuf frameHeader, ByteBuf payload) {
        int size = payload.readableBytes();
        int length = FRAME_AT + frameHeader.readableBytes() + size;
        b.writeLong(seq);
        b.writeLong(arrivalMillis);
        b.writeLong(appendedBytes);
        b.writeInt(MARKER);
        b.writeInt(length);
        b.writeInt(checksum.ofMessage(seq, arrivalMillis, appendedBytes, MARKER, length, frameHeader, payload));
        b.write(frameHeader.array(), frameHeader.arrayOffset() + frameHeader.readerIndex(),
                frameHeader.readableBytes());
        if (size > 0 && payload.hasMemoryAddress()) {
            // One bulk copy from the receive buffer into the mapped file.
            b.unsafeWrite(payload.memoryAddress() + payload.readerIndex(), size);
        } else if (size > 0) {
            // A payload gathered from several reads (FrameDecoder) is a slice of a composite buffer: one
            // bulk copy per component, through views of its own (nioBuffer() would first copy it whole).
            for (ByteBuffer part : payload.nioBuffers(payload.readerIndex(), size)) {
                writePart(b, part);
            }
        }
    }

    private static void writePart(Bytes<?> b, ByteBuffer part) {
        // A wrapper (no copy, and releasing it frees nothing) that knows the view's memory address.
        ByteBuf view = part.isDirect() ? Unpooled.wrappedBuffer(part) : null;
        try {
            if (view != null && view.hasMemoryAddress()) {
                b.unsafeWrite(view.memoryAddress() + view.readerIndex(), view.readableBytes());
            } else {
                while (part.hasRemaining()) {
                    b.writeSome(part);
                }
            }
        } finally {
            if (view != null) {
                view.release();
            }
        }
    }

    /**
     * Checks the record between the read position and the read limit of {@code b} and, if it is
     * valid, reads its numbers and leaves {@code b} at its frame.
     *
     * @return null if the record is valid, {@link TailRepair#CUT} for the mark of a cut record, else what is
     *     wrong with it (and {@code b} is where it was)
     */
    String read(Bytes<?> b, RecordChecksum checksum) {
        String problem = readHead(b);
        if (problem == null && format == 2
                && b.readInt(start + CHECKSUM_AT) != checksum.of(b, start, start + length, start + CHECKSUM_AT)) {
            b.readPosition(start);
            return CHECKSUM_MISMATCH;
        }
        return problem;
    }

    /**
     * Checks everything of the record between the read position and the read limit of {@code b} but its
     * checksum (its marker, its lengths, its numbers) and, if that holds, reads its numbers and leaves
     * {@code b} at its frame. For a reader that copies the frame anyway: it then checks the copy
     * ({@link #copyFrame}, {@link #verify}) instead of passing every byte through the checksum's buffer
     * first; nothing it read may be believed before {@link #verify} says so.
     *
     * @return as {@link #read}
     */
    String readHead(Bytes<?> b) {
        start = b.readPosition();
        length = b.readRemaining();
        if (TailRepair.isCut(b)) {
            return TailRepair.CUT;
        }
        if (length < NUMBERS + FRAME_PREFIX) {
            return "it is " + length + " bytes long, too short for a message record";
        }
        long frameAt;
        if ((b.readUnsignedByte(start + NUMBERS)) == MARKER_BYTE) {
            if (length < FRAME_AT + FRAME_PREFIX) {
                return "it is " + length + " bytes long, too short for a message record";
            }
            if (b.readInt(start + NUMBERS) != MARKER) {
                return "its format marker is damaged";
            }
            long recorded = b.readInt(start + LENGTH_AT) & 0xFFFF_FFFFL;
            if (recorded != length) {
                return "it says it is " + recorded + " bytes long but its document holds " + length;
            }
            format = 2;
            frameAt = start + FRAME_AT;
        } else {
            format = 1;
            frameAt = start + NUMBERS;
        }
        long frameLength = Integer.reverseBytes(b.readInt(frameAt)) & 0xFFFF_FFFFL;
        if (frameLength != start + length - frameAt - FRAME_PREFIX) {
            return "its frame says it is " + frameLength + " bytes long but the record holds "
                    + (start + length - frameAt - FRAME_PREFIX);
        }
        long s = b.readLong(start);
        long appended = b.readLong(start + 16);
        if (s < 0 || appended < 0) {
            return "its sequence number " + s + " or byte count " + appended + " is negative";
        }
        seq = s;
        arrivalMillis = b.readLong(start + 8);
        appendedBytes = appended;
        b.readPosition(frameAt);
        return null;
    }

    /**
     * Checks the checksum of the record {@link #readHead} read last, over its head in {@code b} (absolute
     * reads of 32 bytes) and over {@code frame}, the copy of its frame that {@link #copyFrame} made: the
     * frame's bytes are then read once, from the copy, instead of once for the check and once more for
     * the copy. A format 1 record has no checksum and passes.
     *
     * @return null if it matches, else what is wrong
     */
    String verify(Bytes<?> b, ByteBuf frame, RecordChecksum checksum) {
        if (format == 2 && b.readInt(start + CHECKSUM_AT) != checksum.ofHeadAndCopy(b, start, start + CHECKSUM_AT, frame)) {
            return CHECKSUM_MISMATCH;
        }
        return null;
    }

    /**
     * The PUBLISH flags of the frame at {@code b}'s read position (where {@link #read} leaves it),
     * parsed from the head of its MessagePack body without decoding the rest: the array header, the
     * type id, the frame's sequence number, the exchange and routing key strings, then the flags.
     * Leaves {@code b}'s read position alone.
     *
     * @return the flags, or -1 if the head is not that of a PUBLISH frame
     */
    static int publishFlags(Bytes<?> b) {
        long p = b.readPosition() + FRAME_PREFIX;
        long end = b.readLimit();
        int h = b.readUnsignedByte(p);
        p += (h & 0xF0) == 0x90 ? 1 : h == 0xDC ? 3 : h == 0xDD ? 5 : end;
        for (int field = 0; field < 4 && p < end; field++) {
            // type id, sequence number (unsigned integers), exchange, routing key (strings)
            long skip = field < 2 ? uintLength(b.readUnsignedByte(p)) : strLength(b, p, end);
            if (skip < 0) {
                return -1;
            }
            p += skip;
        }
        if (p >= end) {
            return -1;
        }
        int f = b.readUnsignedByte(p);
        if (f < 0x80) {
            return f;
        }
        return f == 0xCC && p + 1 < end ? b.readUnsignedByte(p + 1) : -1;
    }

    private static long uintLength(int h) {
        return h < 0x80 ? 1 : h == 0xCC ? 2 : h == 0xCD ? 3 : h == 0xCE ? 5 : h == 0xCF ? 9 : -1;
    }

    private static long strLength(Bytes<?> b, long p, long end) {
        int h = b.readUnsignedByte(p);
        if ((h & 0xE0) == 0xA0) {
            return 1 + (h & 0x1F);
        }
        if (h == 0xD9 && p + 1 < end) {
            return 2 + b.readUnsignedByte(p + 1);
        }
        if (h == 0xDA && p + 2 < end) {
            return 3 + ((b.readUnsignedByte(p + 1) << 8) | b.readUnsignedByte(p + 2));
        }
        return -1;
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

    /** The format of the record last read: 1 (no checksum, written before format 2) or 2. */
    int format() {
        return format;
    }

    /**
     * Copies the frame of a record that {@link #read} or {@link #readHead} found valid from {@code b} into a
     * new direct buffer from {@code alloc}: one bulk copy out of the mapped file (never Chronicle's bulk read
     * of a range, which copied past the end of its mapping here), the only copy of a stored message on its
     * way to a consumer.
     *
     * @return the copy, which the caller must release
     */
    static ByteBuf copyFrame(Bytes<?> b, ByteBufAllocator alloc) {
        long from = b.readPosition();
        int n = (int) b.readRemaining();
        ByteBuf buf = alloc.directBuffer(n);
        try {
            if (buf.hasMemoryAddress()) {
                // Bytes.read(ByteBuffer) copies byte by byte.
                b.unsafeRead(buf.memoryAddress(), n);
            } else {
                for (int i = 0; i < n; i++) {
                    buf.setByte(i, b.readByte(from + i));
                }
            }
            buf.writerIndex(n);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Reads the frame of a record that {@link #read} found valid: copies it ({@link #copyFrame}) and decodes
     * it in place.
     *
     * @return the frame, whose payload the caller must release
     * @throws RuntimeException if it is not a well-formed PUBLISH frame
     */
    static Publish readFrame(Bytes<?> b, ByteBufAllocator alloc, FrameDecoder decoder) {
        ByteBuf buf = copyFrame(b, alloc);
        try {
            return (Publish) decoder.decodeStored(buf);
        } finally {
            buf.release();
        }
    }
}
