package io.relais.broker.store;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One small file of the data directory that is replaced whole on every save (the set of virtual
 * hosts, the permission table), in the layout of {@link DefinitionsStore}: a 13-byte header, then
 * the body, integers big-endian.
 * <pre>
 *  offset  size  field
 *       0     4  magic: four ASCII letters naming the file's kind
 *       4     1  format version: 1
 *       5     4  body length N, unsigned
 *       9     4  CRC32C of the N body bytes
 *      13     N  body (MessagePack; its layout is the owner's)
 * </pre>
 * {@link #write} writes a {@code .tmp} file, forces it, renames it atomically over the file and
 * forces the directory: a crash leaves the previous complete file or the new one. {@link #read}
 * deletes a leftover {@code .tmp} and refuses a file whose magic, version, length or checksum is
 * wrong. Disk I/O: call it on the definitions thread or at start-up, never on a network loop.
 * Thread-safe (synchronized).
 */
final class RecordFile {
    private static final byte FORMAT_VERSION = 1;
    private static final int HEADER_LENGTH = 13;

    private final Path file;
    private final Path tmp;
    private final byte[] magic;
    private final String what;

    /**
     * @param file the file
     * @param magic its four magic bytes
     * @param what what it holds, for messages ("the virtual hosts file")
     */
    RecordFile(Path file, String magic, String what) {
        this.file = file.toAbsolutePath();
        this.tmp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
        this.magic = magic.getBytes(StandardCharsets.US_ASCII);
        this.what = what;
    }

    Path file() {
        return file;
    }

    /**
     * The body last written, or null if there is no file.
     *
     * @throws StoreException if it cannot be read or is not valid
     */
    synchronized byte[] read() {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new StoreException("cannot delete " + tmp + ", left by a save that did not finish: " + e, e);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreException("cannot read " + what + " " + file + ": " + e, e);
        }
        if (bytes.length < HEADER_LENGTH || !Arrays.equals(bytes, 0, 4, magic, 0, 4)) {
            throw corrupt("it is not a " + what + " (bad magic or shorter than its header)");
        }
        if (bytes[4] != FORMAT_VERSION) {
            throw corrupt("unsupported format version " + Byte.toUnsignedInt(bytes[4]));
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long length = Integer.toUnsignedLong(in.getInt(5));
        if (bytes.length != HEADER_LENGTH + length) {
            throw corrupt("the header announces " + (HEADER_LENGTH + length) + " bytes, found " + bytes.length);
        }
        if (in.getInt(9) != crc32c(bytes, HEADER_LENGTH, (int) length)) {
            throw corrupt("checksum mismatch");
        }
        return Arrays.copyOfRange(bytes, HEADER_LENGTH, bytes.length);
    }

    /**
     * Replaces the file with {@code body}, atomically and durably.
     *
     * @throws StoreException if it cannot be written; the previous file is then unchanged
     */
    synchronized void write(byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + body.length).put(magic).put(FORMAT_VERSION)
                .putInt(body.length).putInt(crc32c(body, 0, body.length)).put(body).flip();
        try {
            replace(file, tmp, out);
        } catch (IOException e) {
            throw new StoreException("cannot save " + what + " " + file + ": " + e + "; the previous version is "
                    + "unchanged", e);
        }
    }

    /**
     * Replaces {@code file} with the bytes of {@code out}, atomically and durably: writes them to
     * {@code tmp}, forces it, renames it over {@code file} and forces the directory. If it throws,
     * {@code tmp} is gone and {@code file} is unchanged. Shared with {@link DefinitionsStore}.
     */
    static void replace(Path file, Path tmp, ByteBuffer out) throws IOException {
        Path dir = file.getParent();
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, CREATE, WRITE, TRUNCATE_EXISTING)) {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.force(true);
            }
            Files.move(tmp, file, ATOMIC_MOVE, REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try (FileChannel ch = FileChannel.open(dir, READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) refuse to open or force a directory; the rename is then as
            // durable as they make it.
        }
    }

    private StoreException corrupt(String problem) {
        return new StoreException(what + " " + file + " is unusable: " + problem + "; restore it from a backup",
                null);
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
