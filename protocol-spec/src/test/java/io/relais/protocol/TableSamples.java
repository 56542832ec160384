package io.relais.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relais.protocol.FrameTable.Field;
import io.relais.protocol.FrameTable.FrameDef;
import io.relais.protocol.FrameTable.RecordDef;
import io.relais.protocol.frame.Frame;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames built from {@code frames.yaml}: every field gets a value chosen by its declared type alone,
 * at the low end of the type, at the high end, or a small sample, and the Java record is built by
 * reflection. So the codec tests cover each field by what the table says it is.
 *
 * <p>Stateless; thread-safe.
 */
public final class TableSamples {
    /** Which values the fields get. */
    public enum Profile {
        /** The least value of each type: 0, the most negative int64, empty str, bin, arrays and maps, false. */
        MIN,
        /**
         * The greatest: the type's maximum, str and bin of 65536 bytes (str 32, bin 32; 300 bytes, str
         * 16, in the records of a list), arrays of 16 (array 16), maps of 16 entries (map 16) holding
         * every scalar type at its extremes, every property set and properties of a later version.
         */
        MAX,
        /** Small values that fit every MessagePack format of the type: 5, "ab", bin 01 02, true, one element. */
        SAMPLE
    }

    /** Bytes of a large str or bin: above 65535, so str 32 and bin 32. */
    public static final int LARGE = 65_536;
    /** Elements of a large array or map: above 15, so array 16 and map 16. */
    public static final int MANY = 16;

    private final FrameTable table;

    /** Samples for the frames of {@code table}. */
    public TableSamples(FrameTable table) {
        this.table = table;
    }

    /** A frame of {@code type} whose every field has the value of {@code profile}; the caller releases it. */
    public Frame frame(FrameType type, Profile profile) {
        FrameDef def = table.frame(type);
        Class<?> c = FrameTableTest.recordClass(type);
        return (Frame) build(c, def.fields(), profile, null);
    }

    /** A record of {@code name} (exchange_info, queue_info, properties) with the values of {@code profile}. */
    public Object record(String name, Profile profile) {
        RecordDef def = table.record(name);
        Class<?> c = FrameTableTest.nestedRecordClass(name);
        Object unknown = null;
        if (def.trailing().equals("keep")) {
            unknown = profile == Profile.MAX
                    ? UnknownProperties.of(2, VectorCatalog.pack(p -> p.packString("later").packArrayHeader(1).packInt(1)))
                    : UnknownProperties.NONE;
        }
        return build(c, def.fields(), profile, unknown);
    }

    /** A record inside a list: at MAX, its str fields hold 300 bytes (str 16), not 65536, to keep frames small. */
    private Object nested(String name, Profile profile) {
        Object r = record(name, profile);
        if (profile != Profile.MAX) {
            return r;
        }
        RecordDef def = table.record(name);
        Class<?> c = FrameTableTest.nestedRecordClass(name);
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            boolean str = i < def.fields().size() && def.fields().get(i).type().equals("str");
            args[i] = str ? "é".repeat(150) : TableEncoder.get(r, def.fields().get(i));
        }
        return construct(c, components, args);
    }

    private Object build(Class<?> c, List<Field> fields, Profile profile, Object last) {
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < fields.size(); i++) {
            args[i] = value(fields.get(i), components[i].getType(), profile);
        }
        if (components.length == fields.size() + 1) {
            args[fields.size()] = last;
        }
        return construct(c, components, args);
    }

    private static Object construct(Class<?> c, RecordComponent[] components, Object[] args) {
        try {
            Constructor<?> ctor = c.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
                    .toArray(Class<?>[]::new));
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("cannot build " + c.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value a field of this type gets in this profile, as the Java type of its component. */
    public Object value(Field f, Class<?> javaType, Profile profile) {
        String element = f.elementType();
        if (element != null) {
            int n = switch (profile) {
                case MIN -> element.equals("str") ? 0 : 1;
                case MAX -> MANY;
                case SAMPLE -> 1;
            };
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add(element.equals("str") ? (profile == Profile.SAMPLE ? "ab" : "capability-" + i)
                        : nested(element, profile));
            }
            return list;
        }
        return switch (f.type()) {
            case "uint63", "int64" -> switch (profile) {
                case MIN -> f.type().equals("int64") ? Long.MIN_VALUE : 0L;
                case MAX -> Long.MAX_VALUE;
                case SAMPLE -> 5L;
            };
            case "uint31" -> switch (profile) {
                case MIN -> 0;
                case MAX -> Integer.MAX_VALUE;
                case SAMPLE -> 5;
            };
            case "bool" -> profile != Profile.MIN;
            case "str" -> switch (profile) {
                case MIN -> "";
                case MAX -> "é".repeat(LARGE / 2);
                case SAMPLE -> "ab";
            };
            case "bin" -> {
                byte[] b = switch (profile) {
                    case MIN -> new byte[0];
                    case MAX -> counting(LARGE);
                    case SAMPLE -> new byte[] {1, 2};
                };
                yield javaType == ByteBuf.class ? Unpooled.wrappedBuffer(b) : b;
            }
            case "map" -> map(profile);
            case "properties" -> record("properties", profile);
            default -> throw new IllegalArgumentException("no sample for type " + f.type());
        };
    }

    private static Map<String, Object> map(Profile profile) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (profile) {
            case MIN -> {
            }
            case SAMPLE -> m.put("k", 5L);
            case MAX -> {
                m.put("nil", null);
                m.put("false", false);
                m.put("true", true);
                m.put("int64-max", Long.MAX_VALUE);
                m.put("int64-min", Long.MIN_VALUE);
                m.put("zero", 0L);
                m.put("minus-one", -1L);
                m.put("float-max", Double.MAX_VALUE);
                m.put("float-min", -Double.MAX_VALUE);
                m.put("float-tiny", Double.MIN_VALUE);
                m.put("str-utf8", "é€😀");
                m.put("infinity", Double.POSITIVE_INFINITY);
                m.put("str-empty", "");
                m.put("str-large", "x".repeat(LARGE));
                m.put("bin-empty", new byte[0]);
                m.put("bin-large", counting(LARGE));
            }
        }
        return m;
    }

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
