package io.relais.broker.store;

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

    private void update(Bytes<?> b, long from, long to) {
        long at = from;
        while (at < to) {
            int n = (int) Math.min(CHUNK, to - at);
            if (b.read(at, chunk, 0, n) != n) {
                throw new IllegalStateException("cannot read bytes " + at + " to " + (at + n) + " of a record");
            }
            crc.update(chunk, 0, n);
            at += n;
        }
    }
}
