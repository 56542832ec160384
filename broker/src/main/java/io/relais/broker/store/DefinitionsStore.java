package io.relais.broker.store;

import io.relais.broker.core.routing.Definitions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the durable definitions (durable exchanges, durable queues and the bindings between them) in
 * one file, {@value #FILE_NAME}, in the broker's data directory, so that they survive a restart.
 *
 * <h2>File format, version 1</h2>
 * A 13-byte header, then the body; integers are big-endian.
 * <pre>
 *  offset  size  field
 *       0     4  magic: ASCII "RLDF" (0x52 0x4C 0x44 0x46)
 *       4     1  format version: 1
 *       5     4  body length N, unsigned
 *       9     4  CRC32C of the N body bytes
 *      13     N  body: one MessagePack map
 *
 *  body = {
 *    "exchanges": [ [name: str, type: str, autoDelete: bool], ... ],
 *    "queues":    [ [name: str, autoDelete: bool, {argKey: str =&gt; value: int | str}], ... ],
 *    "bindings":  [ [exchange: str, queue: str, pattern: str], ... ]
 *  }
 * </pre>
 * Type is {@code topic}, {@code direct} or {@code fanout}; integer arguments are signed 64-bit. A
 * reader skips keys of the body map it does not know, so a later version may add keys without
 * changing the format version; every other change (a tuple's size or a field's type) needs a new
 * version. A file is refused whole, never read in part: short or long, bad magic, unknown version,
 * checksum mismatch or a body that breaks the layout above all throw {@link StoreException}.
 *
 * <h2>Crash safety</h2>
 * {@link #save} writes the whole file to {@code definitions.rdf.tmp}, forces it to disk, renames it
 * atomically over {@value #FILE_NAME} and forces the directory. A crash at any point leaves either
 * the previous complete file or the new one; a leftover {@code .tmp} is the remains of an unfinished
 * save and {@link #load} deletes it.
 *
 * <p>Thread-safety: {@link #load} and {@link #save} are synchronized, so the store is safe to share;
 * but each save replaces the whole file, so the caller (the Topology) serialises its changes and
 * saves the definitions as they stand after each one.
 */
public final class DefinitionsStore {
    /** Name of the definitions file in the data directory. */
    public static final String FILE_NAME = "definitions.rdf";
    /** Suffix of the file being written by an unfinished save. */
    static final String TMP_SUFFIX = ".tmp";
    static final byte[] MAGIC = {'R', 'L', 'D', 'F'};
    static final byte FORMAT_VERSION = 1;
    static final int HEADER_LENGTH = 13;

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsStore.class);
    private static final String ADVICE = " Restore the file from a backup, or move it aside to start the broker"
            + " with no durable exchanges, queues or bindings (the messages of durable queues then stay on disk"
            + " but cannot be reached).";

    private final Path dir;
    private final Path file;
    private final Path tmp;

    /** @param dataDir the broker's data directory; {@link #save} creates it if it does not exist */
    public DefinitionsStore(Path dataDir) {
        this.dir = dataDir.toAbsolutePath();
        this.file = dir.resolve(FILE_NAME);
        this.tmp = dir.resolve(FILE_NAME + TMP_SUFFIX);
    }

    /** The definitions file, absolute. */
    public Path file() {
        return file;
    }

    /**
     * Reads the definitions, deleting the remains of an unfinished save first.
     *
     * @return the definitions last saved, or {@link Definitions#EMPTY} if there is no file
     * @throws StoreException if the file exists but cannot be read or is not a valid definitions file
     */
    public synchronized Definitions load() {
        discardUnfinishedSave();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Definitions.EMPTY;
        } catch (IOException e) {
            throw new StoreException("Cannot read the durable definitions file " + file + ": " + e
                    + ". Check that it is a regular file the broker may read." + ADVICE, e);
        }
        return decode(bytes);
    }

    /**
     * Replaces the saved definitions, atomically and durably: when this returns, a crash cannot lose
     * them; if it throws, the previous file is unchanged.
     *
     * @throws StoreException if the file cannot be written
     */
    public synchronized void save(Definitions definitions) {
        byte[] body = DefinitionsCodec.encode(definitions);
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + body.length)
                .put(MAGIC).put(FORMAT_VERSION).putInt(body.length).putInt(crc32c(body, 0, body.length)).put(body)
                .flip();
        try {
            RecordFile.replace(file, tmp, out);
        } catch (IOException e) {
            throw new StoreException("Cannot save the durable definitions to " + file + ": " + e
                    + ". The previous version of the file is unchanged; check the free space and permissions of "
                    + dir + ".", e);
        }
    }

    private Definitions decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length >= MAGIC.length && !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw corrupt(String.format("bad magic 0x%08X, expected 0x%08X ('RLDF'): this is not a Relais"
                    + " definitions file", in.getInt(0), ByteBuffer.wrap(MAGIC).getInt()));
        }
        if (bytes.length > MAGIC.length && bytes[MAGIC.length] != FORMAT_VERSION) {
            throw corrupt("unsupported format version " + Byte.toUnsignedInt(bytes[MAGIC.length])
                    + " (this broker reads version " + FORMAT_VERSION + "); a newer broker may have written it,"
                    + " and that broker can read it.");
        }
        if (bytes.length < HEADER_LENGTH) {
            throw corrupt("truncated: expected at least " + HEADER_LENGTH + " bytes (the header), found "
                    + bytes.length);
        }
        long bodyLength = Integer.toUnsignedLong(in.getInt(5));
        long expected = HEADER_LENGTH + bodyLength;
        if (bytes.length < expected) {
            throw corrupt("truncated: expected " + expected + " bytes, found " + bytes.length);
        }
        if (bytes.length > expected) {
            throw corrupt("too long: the header announces " + expected + " bytes, found " + bytes.length);
        }
        int stored = in.getInt(9);
        int computed = crc32c(bytes, HEADER_LENGTH, (int) bodyLength);
        if (stored != computed) {
            throw corrupt(String.format("checksum mismatch: stored 0x%08X, computed 0x%08X", stored, computed));
        }
        try {
            return DefinitionsCodec.decode(Arrays.copyOfRange(bytes, HEADER_LENGTH, bytes.length));
        } catch (IllegalArgumentException e) {
            throw corrupt("invalid body: " + e.getMessage(), e);
        }
    }

    private StoreException corrupt(String problem) {
        return corrupt(problem, null);
    }

    private StoreException corrupt(String problem, Throwable cause) {
        String sentence = problem.endsWith(".") ? problem : problem + ".";
        return new StoreException("The durable definitions file " + file + " is unusable: " + sentence + ADVICE,
                cause);
    }

    private void discardUnfinishedSave() {
        try {
            if (Files.deleteIfExists(tmp)) {
                LOG.info("deleted {}, left by a save that did not finish; {} holds the last complete save", tmp, file);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete {}, left by a save that did not finish: {}", tmp, e.toString());
        }
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
