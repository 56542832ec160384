package io.relais.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code protocol-spec/frames.yaml}, read into records, for the tests that hold it against the Java
 * codec and against PROTOCOL.md.
 *
 * <p>Strict: a key the file's header does not describe, or a missing one, fails the load, so a typo in
 * the file cannot go unnoticed. Immutable once loaded; thread-safe.
 *
 * @param version the protocol version the file describes
 * @param types every field type, by name
 * @param states the connection states, in order
 * @param actions the names of what a receiver does with a frame in a state
 * @param frames every frame, in file order
 * @param records every nested record, by name
 */
public record FrameTable(int version, Map<String, Type> types, List<String> states, Set<String> actions,
                         List<FrameDef> frames, Map<String, RecordDef> records) {

    /** Field type names that are not in {@code types} but built from them: {@code array of <T>}. */
    public static final String ARRAY_OF = "array of ";

    /**
     * One entry of {@code types}.
     *
     * @param name the type's name, as fields use it
     * @param msgpack the MessagePack formats a decoder accepts, named as in the MessagePack specification
     * @param min the least value, for integer types, else {@code null}
     * @param max the greatest value, for integer types, else {@code null}
     */
    public record Type(String name, List<String> msgpack, Long min, Long max) {
    }

    /**
     * One field of a frame or of a record.
     *
     * @param name the field's name
     * @param index its position in the array that holds it (in a frame body, the type id is 0)
     * @param type its type: a name of {@code types}, or {@code array of <str or record name>}
     * @param since the protocol version it appeared in
     * @param nullable true if nil is allowed (absent)
     * @param limits the limit keys (min, max, min_bytes, max_bytes, min_items, bits) with their values
     * @param defaultValue the value of a field that may be missing (key {@code default}), or null if it is required
     */
    public record Field(String name, int index, String type, int since, boolean nullable, Map<String, Object> limits,
                        Object defaultValue) {
        /** For {@code array of X}, the X; otherwise {@code null}. */
        public String elementType() {
            return type.startsWith(ARRAY_OF) ? type.substring(ARRAY_OF.length()) : null;
        }
    }

    /**
     * One frame.
     *
     * @param name the frame type's name, as in {@link FrameType}
     * @param id the type id
     * @param sentBy client, server or both
     * @param since the protocol version it appeared in
     * @param answers for a request, the frames that answer it; otherwise empty
     * @param answerTo for an answer, the requests it answers; otherwise empty
     * @param states by receiver ({@code by_server}, {@code by_client}), the action for each state
     * @param fields the fields after the type id, in wire order
     */
    public record FrameDef(String name, int id, String sentBy, int since, List<String> answers, List<String> answerTo,
                           Map<String, Map<String, String>> states, List<Field> fields) {
        /** The matching Java frame type. */
        public FrameType frameType() {
            return FrameType.valueOf(name);
        }
    }

    /**
     * One nested record.
     *
     * @param name the record's name
     * @param since the protocol version it appeared in
     * @param usedBy the fields that hold it, as {@code FRAME.field}
     * @param trailing what a decoder does with elements after the known fields: skip or keep
     * @param omitTrailingAbsent true if an encoder leaves out trailing absent (nil) fields
     * @param fields the fields, in wire order
     */
    public record RecordDef(String name, int since, List<String> usedBy, String trailing, boolean omitTrailingAbsent,
                            List<Field> fields) {
    }

    private static final Set<String> FIELD_KEYS =
            Set.of("name", "index", "type", "since", "nullable", "min", "max", "min_bytes", "max_bytes", "min_items", "bits",
                    "default");
    private static final Set<String> LIMIT_KEYS = Set.of("min", "max", "min_bytes", "max_bytes", "min_items", "bits");

    private static volatile FrameTable cache;

    /** The path of frames.yaml, next to the vectors directory. */
    public static Path path() {
        return TestVectors.directory().getParent().resolve("frames.yaml");
    }

    /** frames.yaml, loaded once. */
    public static FrameTable load() {
        FrameTable t = cache;
        if (t == null) {
            try {
                t = parse(Files.readString(path(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cache = t;
        }
        return t;
    }

    /** Parses the text of a frames.yaml. */
    public static FrameTable parse(String yaml) {
        Map<String, Object> root = map(new Load(LoadSettings.builder().build()).loadFromString(yaml), "root");
        keys(root, "root", Set.of("version", "framing", "types", "actions", "states", "frames", "records"), Set.of());
        Map<String, Type> types = new LinkedHashMap<>();
        for (Object o : list(root.get("types"), "types")) {
            Map<String, Object> m = map(o, "type");
            String name = str(m, "name");
            keys(m, "type " + name, Set.of("name", "msgpack", "min", "max", "encode", "content", "note", "keys",
                    "values", "duplicate_keys", "key_order", "record"), Set.of("name", "msgpack"));
            types.put(name, new Type(name, strings(m.get("msgpack"), name + ".msgpack"), optLong(m, "min"),
                    optLong(m, "max")));
        }
        List<FrameDef> frames = new ArrayList<>();
        for (Object o : list(root.get("frames"), "frames")) {
            Map<String, Object> m = map(o, "frame");
            String name = str(m, "name");
            keys(m, "frame " + name, Set.of("name", "id", "sent_by", "since", "capability", "purpose", "answers",
                    "answer_to", "states", "fields"), Set.of("name", "id", "sent_by", "since", "purpose", "states",
                    "fields"));
            if (m.containsKey("capability") && !ProtocolVersion.CAPABILITIES.contains(str(m, "capability"))) {
                throw new IllegalArgumentException("frames.yaml: frame " + name + " needs the unknown capability '"
                        + m.get("capability") + "'");
            }
            Map<String, Map<String, String>> states = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : map(m.get("states"), name + ".states").entrySet()) {
                Map<String, String> byState = new LinkedHashMap<>();
                map(e.getValue(), name + ".states." + e.getKey()).forEach((k, v) -> byState.put(k, (String) v));
                states.put(e.getKey(), byState);
            }
            frames.add(new FrameDef(name, integer(m, "id"), str(m, "sent_by"), integer(m, "since"),
                    m.containsKey("answers") ? strings(m.get("answers"), name + ".answers") : List.of(),
                    m.containsKey("answer_to") ? strings(m.get("answer_to"), name + ".answer_to") : List.of(),
                    states, fields(m.get("fields"), name)));
        }
        Map<String, RecordDef> records = new LinkedHashMap<>();
        for (Object o : list(root.get("records"), "records")) {
            Map<String, Object> m = map(o, "record");
            String name = str(m, "name");
            keys(m, "record " + name, Set.of("name", "since", "used_by", "trailing", "omit_trailing_absent", "fields"),
                    Set.of("name", "since", "used_by", "trailing", "fields"));
            records.put(name, new RecordDef(name, integer(m, "since"), strings(m.get("used_by"), name + ".used_by"),
                    str(m, "trailing"), Boolean.TRUE.equals(m.get("omit_trailing_absent")), fields(m.get("fields"), name)));
        }
        return new FrameTable(integer(root, "version"), types, strings(root.get("states"), "states"),
                map(root.get("actions"), "actions").keySet(), frames, records);
    }

    /** The frame with this name. */
    public FrameDef frame(String name) {
        return frames.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("frames.yaml has no frame " + name));
    }

    /** The frame of this type. */
    public FrameDef frame(FrameType type) {
        return frame(type.name());
    }

    /** The record with this name. */
    public RecordDef record(String name) {
        RecordDef r = records.get(name);
        if (r == null) {
            throw new IllegalArgumentException("frames.yaml has no record " + name);
        }
        return r;
    }

    private static List<Field> fields(Object o, String owner) {
        List<Field> out = new ArrayList<>();
        for (Object f : list(o, owner + ".fields")) {
            Map<String, Object> m = map(f, owner + " field");
            String name = str(m, "name");
            keys(m, owner + "." + name, FIELD_KEYS, Set.of("name", "index", "type", "since"));
            Map<String, Object> limits = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (LIMIT_KEYS.contains(k)) {
                    limits.put(k, v);
                }
            });
            out.add(new Field(name, integer(m, "index"), str(m, "type"), integer(m, "since"),
                    Boolean.TRUE.equals(m.get("nullable")), limits, m.get("default")));
        }
        return List.copyOf(out);
    }

    private static void keys(Map<String, Object> m, String what, Set<String> allowed, Set<String> required) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("frames.yaml: " + what + " has the unknown key '" + k + "'");
            }
        }
        for (String k : required) {
            if (!m.containsKey(k)) {
                throw new IllegalArgumentException("frames.yaml: " + what + " lacks the key '" + k + "'");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("frames.yaml: " + what + " is not a mapping: " + o);
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("frames.yaml: " + what + " is not a sequence: " + o);
        }
        return l;
    }

    private static List<String> strings(Object o, String what) {
        List<String> out = new ArrayList<>();
        for (Object e : list(o, what)) {
            out.add((String) e);
        }
        return List.copyOf(out);
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("frames.yaml: '" + key + "' is not a string: " + v);
        }
        return s;
    }

    private static int integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Integer i)) {
            throw new IllegalArgumentException("frames.yaml: '" + key + "' is not a small integer: " + v);
        }
        return i;
    }

    private static Long optLong(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : ((Number) v).longValue();
    }
}
