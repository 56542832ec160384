package io.relais.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.relais.protocol.FrameTable.Field;
import io.relais.protocol.FrameTable.FrameDef;
import io.relais.protocol.FrameTable.RecordDef;
import io.relais.protocol.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second encoder, driven by {@code frames.yaml} alone: it writes a frame's values in the order and
 * with the types the table gives, reading them from the Java record by field name. The codec tests
 * compare its bytes with the real encoder's, and use its edits to build frames the table says a
 * decoder must accept or refuse.
 *
 * <p>A {@link Path} names one array element: the frame field's index, then, inside an
 * {@code array of <record>}, the list position and the record field's index, or inside
 * {@code properties} the property's index. An empty path is the frame body.
 *
 * <p>Stateless; thread-safe, provided no caller changes the bytes of an {@link Edit} it passed.
 */
public final class TableEncoder {
    /**
     * A position in a frame body.
     *
     * @param indexes element indexes, outermost first
     */
    public record Path(List<Integer> indexes) {
        /** A path from its indexes. */
        public static Path of(Integer... indexes) {
            return new Path(List.of(indexes));
        }

        /** This path extended by one index. */
        public Path then(int index) {
            List<Integer> l = new ArrayList<>(indexes);
            l.add(index);
            return new Path(List.copyOf(l));
        }

        @Override
        public String toString() {
            return indexes.toString();
        }
    }

    /**
     * A change to what {@link #encode} writes.
     *
     * @param path the element (for {@code replace}) or the array (for {@code dropLast} and {@code append})
     * @param replace bytes written instead of the element, or {@code null}
     * @param dropLast true to leave out the array's last element
     * @param append bytes of one more element at the end of the array, or {@code null}
     */
    public record Edit(Path path, byte[] replace, boolean dropLast, byte[] append) {
        /** Writes {@code bytes} in place of the element at {@code path}. */
        public static Edit replace(Path path, byte[] bytes) {
            return new Edit(path, bytes, false, null);
        }

        /** Leaves out the last element of the array at {@code path}. */
        public static Edit dropLast(Path path) {
            return new Edit(path, null, true, null);
        }

        /** Adds one element (already encoded) at the end of the array at {@code path}. */
        public static Edit append(Path path, byte[] bytes) {
            return new Edit(path, null, false, bytes);
        }
    }

    private final FrameTable table;

    /** An encoder for the frames of {@code table}. */
    public TableEncoder(FrameTable table) {
        this.table = table;
    }

    /** The whole frame (length prefix and body) as the table lays it out, with the edits applied. */
    public byte[] encode(Object frame, Edit... edits) {
        FrameDef def = table.frame(((Frame) frame).type());
        List<byte[]> elements = new ArrayList<>();
        elements.add(VectorCatalog.pack(p -> p.packInt(def.id())));
        for (Field f : def.fields()) {
            elements.add(field(f, get(frame, f), Path.of(f.index()), edits));
        }
        return VectorCatalog.frameBytes(array(elements, Path.of(), edits));
    }

    /** The bytes of one element of a frame, as {@link #encode} writes it without edits. */
    public byte[] element(Object frame, Path path) {
        FrameDef def = table.frame(((Frame) frame).type());
        Field f = def.fields().get(path.indexes().get(0) - 1);
        Object value = get(frame, f);
        if (path.indexes().size() == 1) {
            return field(f, value, path);
        }
        if ("properties".equals(f.type())) {
            Field p = table.record("properties").fields().get(path.indexes().get(1));
            return field(p, get(value, p), path);
        }
        RecordDef r = table.record(f.elementType());
        Object rec = ((List<?>) value).get(path.indexes().get(1));
        Field rf = r.fields().get(path.indexes().get(2));
        return field(rf, get(rec, rf), path);
    }

    private byte[] field(Field f, Object value, Path path, Edit... edits) {
        for (Edit e : edits) {
            if (e.replace() != null && e.path().equals(path)) {
                return e.replace();
            }
        }
        if (value == null) {
            if (!f.nullable()) {
                throw new IllegalArgumentException(f.name() + " is null but not nullable");
            }
            return VectorCatalog.pack(p -> p.packNil());
        }
        String element = f.elementType();
        if (element != null) {
            List<byte[]> items = new ArrayList<>();
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (element.equals("str")) {
                    items.add(VectorCatalog.pack(p -> p.packString((String) item)));
                } else {
                    items.add(record(table.record(element), item, path.then(i), edits));
                }
            }
            return array(items, path, edits);
        }
        return switch (f.type()) {
            case "uint63", "uint31", "int64" -> VectorCatalog.pack(p -> p.packLong(((Number) value).longValue()));
            case "bool" -> VectorCatalog.pack(p -> p.packBoolean((Boolean) value));
            case "str" -> VectorCatalog.pack(p -> p.packString((String) value));
            case "bin" -> bin(value instanceof ByteBuf b ? ByteBufUtil.getBytes(b) : (byte[]) value);
            case "map" -> map((Map<?, ?>) value);
            case "properties" -> properties((Properties) value, path, edits);
            default -> throw new IllegalArgumentException("no encoding for type " + f.type());
        };
    }

    private static byte[] bin(byte[] bytes) {
        return VectorCatalog.pack(p -> p.packBinaryHeader(bytes.length).writePayload(bytes));
    }

    private byte[] record(RecordDef r, Object value, Path path, Edit... edits) {
        List<byte[]> items = new ArrayList<>();
        for (Field f : r.fields()) {
            items.add(field(f, get(value, f), path.then(f.index()), edits));
        }
        return array(items, path, edits);
    }

    private byte[] properties(Properties value, Path path, Edit... edits) {
        RecordDef r = table.record("properties");
        List<byte[]> items = new ArrayList<>();
        int present = 0;
        for (Field f : r.fields()) {
            Object v = get(value, f);
            items.add(field(f, v, path.then(f.index()), edits));
            if (v != null) {
                present = items.size();
            }
        }
        if (!value.unknown().isEmpty()) {
            // 'trailing: keep': the unknown elements follow the seven, as they were received.
            byte[] all = value.unknown().encoded();
            return concat(arrayOfMore(items, path, edits, value.unknown().count()), all);
        }
        return array(r.omitTrailingAbsent() ? items.subList(0, present) : items, path, edits);
    }

    private static byte[] map(Map<?, ?> value) {
        return VectorCatalog.pack(p -> {
            p.packMapHeader(value.size());
            for (Map.Entry<?, ?> e : value.entrySet()) {
                p.packString((String) e.getKey());
                Object v = e.getValue();
                if (v == null) {
                    p.packNil();
                } else if (v instanceof Boolean b) {
                    p.packBoolean(b);
                } else if (v instanceof Long l) {
                    p.packLong(l);
                } else if (v instanceof Double d) {
                    p.packDouble(d);
                } else if (v instanceof String s) {
                    p.packString(s);
                } else {
                    byte[] b = (byte[]) v;
                    p.packBinaryHeader(b.length).writePayload(b);
                }
            }
        });
    }

    private static byte[] array(List<byte[]> items, Path path, Edit... edits) {
        return arrayOfMore(items, path, edits, 0);
    }

    /** An array of {@code items} (plus {@code more} elements the caller appends), with the edits of {@code path}. */
    private static byte[] arrayOfMore(List<byte[]> items, Path path, Edit[] edits, int more) {
        List<byte[]> l = new ArrayList<>(items);
        for (Edit e : edits) {
            if (e.path().equals(path)) {
                if (e.dropLast()) {
                    l.remove(l.size() - 1);
                }
                if (e.append() != null) {
                    l.add(e.append());
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(VectorCatalog.pack(p -> p.packArrayHeader(l.size() + more)));
        l.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The value of a field, from the record accessor of the same name in camelCase. */
    static Object get(Object record, Field f) {
        try {
            return record.getClass().getMethod(FrameTableTest.camel(f.name())).invoke(record);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException("no accessor for " + f.name() + " in " + record.getClass(), e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
