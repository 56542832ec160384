package io.relais.broker.store;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The CRC32C (the JDK's, {@link CRC32C}, which the JIT compiles to the CPU's CRC instructions) of a
 * stored record, computed over the bytes of the record as they are in the mapped file, leaving out
 * the four bytes that hold the checksum itself. The bytes are copied in chunks through a small
 * buffer of its own, so computing a checksum allocates nothing.
 *
 * <p>Not thread-safe: each store thread's {@link MessageStore}, and each run of recovery, has its
 * own.
 */
final class RecordChecksum {
    private static final int CHUNK = 4096;
    private final CRC32C crc = new CRC32C();
    private final byte[] chunk = new byte[CHUNK];
    /** {@link #chunk} seen as longs in the byte order Chronicle reads and writes them in. */
    private final ByteBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.nativeOrder());
    /** Bytes of mapped files passed through {@link #chunk} so far: what checking costs in copies. */
    private long staged;

    /**
     * The CRC32C of the bytes {@code [from, to)} of {@code b} (absolute offsets), without the four
     * bytes at {@code checksumAt}, which must lie inside the range.
     */
    int of(Bytes<?> b, long from, long to, long checksumAt) {
        crc.reset();
        update(b, from, checksumAt);
        update(b, checksumAt + Integer.BYTES, to);
        return (int) crc.getValue();
    }

    /**
     * The CRC32C of a message record whose frame was copied out of the mapped file: its head, the bytes
     * {@code [from, checksumAt)} of {@code b} (absolute reads), then {@code frame}, the copy of the rest
     * after the checksum's four bytes, read in place. {@code frame} is a buffer of the caller's own (the view
     * taken of it is a fresh one, so nothing is shared with another thread).
     */
    int ofHeadAndCopy(Bytes<?> b, long from, long checksumAt, ByteBuf frame) {
        crc.reset();
        update(b, from, checksumAt);
        for (ByteBuffer part : frame.nioBuffers(frame.readerIndex(), frame.readableBytes())) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }

    /** Bytes of mapped files copied through this checksum's own small buffer so far (for tests). */
    long stagedBytes() {
        return staged;
    }

    private void update(Bytes<?> b, long from, long to) {
        // Absolute reads of longs and bytes, never a bulk copy: Chronicle's bulk read of a range in a
        // mapped file copied past the end of its mapping here (a SIGSEGV under load).
        long at = from;
        while (at < to) {
            int n = (int) Math.min(CHUNK, to - at);
            int i = 0;
            for (; i + Long.BYTES <= n; i += Long.BYTES) {
                longs.putLong(i, b.readLong(at + i));
            }
            for (; i < n; i++) {
                chunk[i] = b.readByte(at + i);
            }
            crc.update(chunk, 0, n);
            staged += n;
            at += n;
        }
    }

    /**
     * The CRC32C of a message record computed from its parts as {@link MessageRecord#write} lays
     * them out, so that writing never reads the mapped file back: the 36-byte head without its
     * checksum (three longs, the marker, the record length), then the frame header, then the payload.
     */
    int ofMessage(long seq, long arrivalMillis, long appendedBytes, int marker, int length, ByteBuf frameHeader,
                  ByteBuf payload) {
        crc.reset();
        longs.putLong(0, seq);
        longs.putLong(8, arrivalMillis);
        longs.putLong(16, appendedBytes);
        longs.putInt(24, marker);
        longs.putInt(28, length);
        crc.update(chunk, 0, 32);
        crc.update(frameHeader.array(), frameHeader.arrayOffset() + frameHeader.readerIndex(),
                frameHeader.readableBytes());
        int size = payload.readableBytes();
        if (size > 0) {
            // Views of its own, one per component of a payload gathered from several socket reads
            // (FrameDecoder): never nioBuffer(), which copies a multi-component buffer, and never
            // internalNioBuffer, which a slice shares with every other slice of its buffer, so that two
            // stores checksumming one message routed to both (on two store threads) moved each other's
            // position and wrote a wrong checksum.
            for (ByteBuffer part : payload.nioBuffers(payload.readerIndex(), size)) {
                crc.update(part);
            }
        }
        return (int) crc.getValue();
    }
}
