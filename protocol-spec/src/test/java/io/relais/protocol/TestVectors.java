package io.relais.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads the protocol test vectors from {@code protocol-spec/vectors/} (format: see the README there).
 *
 * <p>Reusable from other modules through the test-jar: the directory is taken from the system
 * property {@value #DIR_PROPERTY} if set, otherwise found by walking up from the working directory
 * until {@code protocol-spec/vectors} (or {@code vectors} inside protocol-spec) exists.
 */
public final class TestVectors {
    /** System property naming the vectors directory explicitly. */
    public static final String DIR_PROPERTY = "relais.vectors.dir";

    private static final Pattern FILE_NAME = Pattern.compile("(\\d{2})-([a-z_]+)(?:-([a-z0-9_]+))?\\.hex");
    private static volatile List<Vector> cache;

    /**
     * One vector.
     *
     * @param name file name without {@code .hex}, e.g. {@code 30-publish-large_payload}
     * @param type frame type named by the file name
     * @param variant the part after the frame name, or {@code ""}
     * @param decodeOnly true when the file has the line {@code # decode-only}: re-encoding the
     *     decoded frame does not give these bytes (e.g. a frame with extension fields)
     * @param description the comment lines, without the leading {@code #}
     * @param bytes the complete frame, length prefix included
     */
    public record Vector(String name, FrameType type, String variant, boolean decodeOnly, String description,
                         byte[] bytes) {
        /** A copy of the bytes. */
        public byte[] copy() {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private TestVectors() {
    }

    /** Every vector, sorted by file name. */
    public static List<Vector> all() {
        List<Vector> v = cache;
        if (v == null) {
            v = load(directory());
            cache = v;
        }
        return v;
    }

    /** The vector with this name (file name without {@code .hex}). */
    public static Vector get(String name) {
        return all().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no vector " + name));
    }

    /** The vectors directory. */
    public static Path directory() {
        String prop = System.getProperty(DIR_PROPERTY);
        if (prop != null) {
            return Paths.get(prop);
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            for (Path candidate : List.of(dir.resolve("protocol-spec").resolve("vectors"), dir.resolve("vectors"))) {
                if (Files.isRegularFile(candidate.resolve("README.md"))
                        && candidate.getParent().getFileName().toString().equals("protocol-spec")) {
                    return candidate;
                }
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("protocol-spec/vectors not found above " + Paths.get("").toAbsolutePath()
                + "; set -D" + DIR_PROPERTY);
    }

    /** Loads every {@code *.hex} file of a directory. */
    public static List<Vector> load(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Vector> vectors = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".hex")).sorted().toList()) {
                vectors.add(parse(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
            }
            return List.copyOf(vectors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one vector file. */
    public static Vector parse(String fileName, String text) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad vector file name " + fileName);
        }
        FrameType type = FrameType.valueOf(m.group(2).toUpperCase(Locale.ROOT));
        if (type.id() != Integer.parseInt(m.group(1))) {
            throw new IllegalArgumentException(fileName + ": number is not the id of " + type);
        }
        StringBuilder description = new StringBuilder();
        StringBuilder hex = new StringBuilder();
        boolean decodeOnly = false;
        for (String line : text.split("\r?\n", -1)) {
            String t = line.strip();
            if (t.startsWith("#")) {
                String c = t.substring(1).strip();
                if (c.equalsIgnoreCase("decode-only")) {
                    decodeOnly = true;
                }
                description.append(c).append('\n');
            } else {
                hex.append(t);
            }
        }
        String name = fileName.substring(0, fileName.length() - ".hex".length());
        return new Vector(name, type, m.group(3) == null ? "" : m.group(3), decodeOnly,
                description.toString().strip(), parseHex(hex.toString()));
    }

    /** Hex digits to bytes; whitespace is ignored. */
    public static byte[] parseHex(String hex) {
        String h = hex.replaceAll("\\s+", "");
        if (h.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h, 2 * i, 2 * i + 2, 16);
        }
        return b;
    }

    /** Bytes to lower-case hex, {@code perLine} bytes per line separated by spaces. */
    public static String toHex(byte[] bytes, int perLine) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                sb.append(i % perLine == 0 ? '\n' : ' ');
            }
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return sb.toString();
    }
}
