package io.relais.broker.security;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.relais.protocol.sasl.ScramCredential;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@value #FILE_NAME} in the data directory that holds the users. Written whole, atomically and
 * durably: to {@code users.db.tmp}, forced to disk, renamed over the file, and the directory forced; a crash
 * leaves the previous file or the new one. Read once at start-up.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "RLUS"
 * 4       1     format version (1)
 * 5       4     body length N (big-endian, like every integer here)
 * 9       4     CRC32C of the body
 * 13      N     body: count (4), then per user:
 *                 name length (2), name (UTF-8)
 *                 flags (1): bit 0 loopback-only
 *                 tag count (1), per tag: length (1), tag (UTF-8)
 *                 salt length (1), salt
 *                 iterations (4)
 *                 StoredKey (32), ServerKey (32)
 * </pre>
 *
 * <p>No password is in it, nor anything from which one can log in without the password. Not thread-safe:
 * only the {@link UserDatabase}'s thread (and start-up) use it.
 */
final class UsersFile {
    /** The file name in the data directory. */
    static final String FILE_NAME = "users.db";
    private static final Logger LOG = LoggerFactory.getLogger(UsersFile.class);
    private static final byte[] MAGIC = {'R', 'L', 'U', 'S'};
    private static final byte FORMAT_VERSION = 1;
    private static final int HEADER_LENGTH = 13;
    private static final int FLAG_LOOPBACK_ONLY = 1;
    private static final String ADVICE = " Restore it from a backup, or move it aside to start with a new user "
            + "database (seeded from auth.users).";

    private final Path dir;
    private final Path file;
    private final Path tmp;

    UsersFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.tmp = dir.resolve(FILE_NAME + ".tmp");
    }

    /** The file, absolute. */
    Path file() {
        return file;
    }

    /**
     * The users saved last, or null when there is no file yet.
     *
     * @throws IOException when the file exists but cannot be read or is not a valid users file
     */
    Map<String, User> load() throws IOException {
        if (Files.deleteIfExists(tmp)) {
            LOG.info("deleted {}, left by a save that did not finish; {} holds the last complete save", tmp, file);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            return decode(bytes);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw new IOException("the user database " + file + " is unusable: " + e.getMessage() + "." + ADVICE, e);
        }
    }

    /** Replaces the file with {@code users}; when it returns they are on disk. */
    void save(Map<String, User> users) throws IOException {
        byte[] body = encode(users);
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + body.length).put(MAGIC).put(FORMAT_VERSION)
                .putInt(body.length).putInt(crc32c(body, 0, body.length)).put(body).flip();
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(tmp, CREATE, WRITE, TRUNCATE_EXISTING)) {
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, ATOMIC_MOVE, REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(dir, READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {}: {}", dir, e.toString());
        }
    }

    static byte[] encode(Map<String, User> users) {
        int size = 4;
        for (User u : users.values()) {
            size += 2 + utf8(u.name()).length + 2 + 1 + u.credential().salt().length + 4 + 64;
            for (String t : u.tags()) {
                size += 1 + utf8(t).length;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(users.size());
        for (User u : users.values()) {
            byte[] name = utf8(u.name());
            b.putShort((short) name.length).put(name).put((byte) (u.loopbackOnly() ? FLAG_LOOPBACK_ONLY : 0));
            b.put((byte) u.tags().size());
            for (String t : u.sortedTags()) {
                byte[] tag = utf8(t);
                b.put((byte) tag.length).put(tag);
            }
            ScramCredential c = u.credential();
            byte[] salt = c.salt();
            b.put((byte) salt.length).put(salt).putInt(c.iterations()).put(c.storedKey()).put(c.serverKey());
        }
        return b.array();
    }

    private static Map<String, User> decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new IllegalArgumentException("not a Relais users file (no 'RLUS' header)");
        }
        if (bytes[4] != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported format version " + bytes[4] + " (this broker reads "
                    + FORMAT_VERSION + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long length = Integer.toUnsignedLong(in.getInt(5));
        if (bytes.length != HEADER_LENGTH + length) {
            throw new IllegalArgumentException("the header announces " + (HEADER_LENGTH + length) + " bytes, the file "
                    + "has " + bytes.length);
        }
        if (in.getInt(9) != crc32c(bytes, HEADER_LENGTH, (int) length)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        in.position(HEADER_LENGTH);
        int count = in.getInt();
        Map<String, User> users = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = str(in, Short.toUnsignedInt(in.getShort()));
            boolean loopbackOnly = (in.get() & FLAG_LOOPBACK_ONLY) != 0;
            int tagCount = Byte.toUnsignedInt(in.get());
            Set<String> tags = new HashSet<>();
            for (int t = 0; t < tagCount; t++) {
                tags.add(str(in, Byte.toUnsignedInt(in.get())));
            }
            byte[] salt = new byte[Byte.toUnsignedInt(in.get())];
            in.get(salt);
            int iterations = in.getInt();
            byte[] storedKey = new byte[32];
            byte[] serverKey = new byte[32];
            in.get(storedKey).get(serverKey);
            users.put(name, new User(name, new ScramCredential(salt, iterations, storedKey, serverKey), tags,
                    loopbackOnly));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the last user");
        }
        return users;
    }

    private static String str(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
