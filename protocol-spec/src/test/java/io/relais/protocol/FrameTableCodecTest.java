package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.FrameTable.Field;
import io.relais.protocol.FrameTable.FrameDef;
import io.relais.protocol.FrameTable.RecordDef;
import io.relais.protocol.TableEncoder.Edit;
import io.relais.protocol.TableEncoder.Path;
import io.relais.protocol.TableSamples.Profile;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueType;

/**
 * The Java codec against {@code frames.yaml}: for every frame, built from the table's types alone
 * ({@link TableSamples}), the encoder writes what the table lays out ({@link TableEncoder}: field
 * count, order, MessagePack type, nested records, properties), the decoder gives the frame back, and
 * for every field, at every depth, the decoder accepts each MessagePack format the table lists for
 * its type, refuses every other type and every integer one beyond the type's range with 2001
 * MALFORMED_FRAME, refuses a frame or record that lacks its last field, and skips or keeps trailing
 * elements as the table says.
 */
@ExtendWith(LeakCheck.class)
class FrameTableCodecTest {
    /** One MessagePack value of each kind, to put where a field of another type belongs. */
    private static final Map<String, String> KINDS = Map.of(
            "nil", "c0", "bool", "c3", "int", "05", "float", "cb 3f f8 00 00 00 00 00 00", "str", "a1 78",
            "bin", "c4 01 78", "array", "90", "map", "80", "ext", "d4 01 00");

    private static FrameTable table;
    private static TableSamples samples;
    private static TableEncoder encoder;

    /**
     * One field of a frame, at any depth.
     *
     * @param type the frame type
     * @param path where it is in the body
     * @param field its definition
     */
    record Spot(FrameType type, Path path, Field field) {
        @Override
        public String toString() {
            return type + path.toString() + " " + field.name();
        }
    }

    @BeforeAll
    static void load() {
        table = FrameTable.load();
        samples = new TableSamples(table);
        encoder = new TableEncoder(table);
    }

    // ---- what the encoder writes ----

    @Test
    void shouldWriteWhatTheTableLaysOutWhenFrameHoldsBoundaryValues() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertEncodedAsTheTableSays);
    }

    private static void assertEncodedAsTheTableSays(FrameType type) {
        for (Profile profile : Profile.values()) {
            Frame frame = samples.frame(type, profile);
            byte[] expected = encoder.encode(frame);
            byte[] actual = Codec.encode(frame); // releases the frame
            assertThat(TestVectors.toHex(actual, 32)).as("%s %s", type, profile)
                    .isEqualTo(TestVectors.toHex(expected, 32));
        }
    }

    @Test
    void shouldGiveEachElementTheMessagePackTypeOfItsFieldWhenEncoded() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertMessagePackTypes);
    }

    private static void assertMessagePackTypes(FrameType type) {
        FrameDef def = table.frame(type);
        for (Profile profile : Profile.values()) {
            byte[] bytes = Codec.encode(samples.frame(type, profile));
            ArrayValue body = unpack(bytes).asArrayValue();
            assertThat(body.size()).as("elements of %s", type).isEqualTo(def.fields().size() + 1);
            assertThat(body.get(0).asIntegerValue().asInt()).isEqualTo(type.id());
            for (Field f : def.fields()) {
                assertValueType(type + "." + f.name(), f, body.get(f.index()));
            }
        }
    }

    @Test
    void shouldDecodeToEqualFrameWhenBoundaryValuesAreEncoded() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertBoundaryValuesRoundTrip);
    }

    private static void assertBoundaryValuesRoundTrip(FrameType type) {
        for (Profile profile : Profile.values()) {
            Frame frame = samples.frame(type, profile);
            byte[] bytes = Codec.encode(ReferenceCountUtil.retain(frame));
            try {
                for (boolean serverSide : receivers(type)) {
                    List<Object> out = Codec.decode(serverSide, bytes);
                    try {
                        assertThat(out).as("%s %s", type, profile).hasSize(1);
                        assertThat(out.get(0)).as("%s %s", type, profile).isInstanceOf(Frame.class);
                        if (profile == Profile.MAX) {
                            // A field by field comparison of 64 KiB byte arrays takes AssertJ many seconds.
                            // The table's encoding is canonical (one encoding per value), so the decoded
                            // frame written again by the table gives the same bytes only if every value is equal.
                            assertThat(encoder.encode(out.get(0))).as("%s %s", type, profile).isEqualTo(bytes);
                        } else {
                            Codec.assertSameFrame(out.get(0), frame);
                        }
                    } finally {
                        Codec.releaseAll(out);
                    }
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
    }

    // ---- what the decoder accepts and refuses, field by field ----

    @Test
    void shouldAcceptEveryFormatTheTableListsWhenFieldIsDecoded() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertListedFormatsAccepted);
    }

    private static void assertListedFormatsAccepted(FrameType type) {
        for (Spot spot : spots(type)) {
            FrameTable.Type t = typeOf(spot.field());
            for (String format : t.msgpack()) {
                Map.Entry<byte[], Object> sample = sample(spot, format);
                assertDecodesTo(spot, "format " + format, sample.getKey(), sample.getValue());
            }
            if (spot.field().nullable()) {
                assertDecodesTo(spot, "nil", hex("c0"), null);
            }
        }
    }

    @Test
    void shouldRefuseEveryOtherMessagePackTypeWhenFieldIsDecoded() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertOtherTypesRefused);
    }

    private static void assertOtherTypesRefused(FrameType type) {
        for (Spot spot : spots(type)) {
            Set<String> accepted = acceptedKinds(spot.field());
            for (Map.Entry<String, String> kind : KINDS.entrySet()) {
                if (!accepted.contains(kind.getKey())) {
                    assertMalformed(spot.type(), spot + " as " + kind.getKey(),
                            encoder.encode(base(type, Profile.SAMPLE), Edit.replace(spot.path(), hex(kind.getValue()))));
                }
            }
        }
    }

    @Test
    void shouldRefuseIntegerOneBeyondItsTypeWhenFieldIsDecoded() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertIntegersBeyondRangeRefused);
    }

    private static void assertIntegersBeyondRangeRefused(FrameType type) {
        for (Spot spot : spots(type)) {
            FrameTable.Type t = typeOf(spot.field());
            if (t.max() == null) {
                continue;
            }
            List<byte[]> beyond = new ArrayList<>();
            if (t.max() < Long.MAX_VALUE) {
                beyond.add(VectorCatalog.pack(p -> p.packLong(t.max() + 1)));
            } else {
                beyond.add(hex("cf 80 00 00 00 00 00 00 00")); // 2^63 as uint 64
            }
            if (t.min() > Long.MIN_VALUE) {
                beyond.add(VectorCatalog.pack(p -> p.packLong(t.min() - 1)));
            }
            for (byte[] raw : beyond) {
                assertMalformed(type, spot + " = " + TestVectors.toHex(raw, 16),
                        encoder.encode(base(type, Profile.SAMPLE), Edit.replace(spot.path(), raw)));
            }
            // The limits themselves are accepted, in the widest formats.
            assertDecodesTo(spot, "max as uint 64", hexWith("cf", t.max(), 8), box(spot.field(), t.max()));
            assertDecodesTo(spot, "min as int 64", hexWith("d3", t.min(), 8), box(spot.field(), t.min()));
        }
    }

    /** An integer as the Java type a field of this type decodes to. */
    private static Object box(Field f, long v) {
        return f.type().equals("uint31") ? (Object) (int) v : (Object) v;
    }

    @Test
    void shouldRequireLastFieldAndTreatTrailingElementsAsTheTableSaysWhenCountsDiffer() {
        Arrays.stream(FrameType.values()).forEach(FrameTableCodecTest::assertElementCounts);
    }

    private static void assertElementCounts(FrameType type) {
        FrameDef def = table.frame(type);
        byte[] later = VectorCatalog.pack(p -> p.packString("later"));
        if (!def.fields().isEmpty()) {
            Field last = def.fields().get(def.fields().size() - 1);
            byte[] withoutLast = encoder.encode(base(type, Profile.SAMPLE), Edit.dropLast(Path.of()));
            if (last.defaultValue() == null) {
                assertMalformed(type, type + " without its last field", withoutLast);
            } else {
                // A field with a default (added to version 1 later) may be missing: the decoder takes the default.
                List<Object> out = Codec.decode(receivers(type).get(0), withoutLast);
                try {
                    assertThat(out).as("%s without %s", type, last.name()).hasSize(1);
                    assertThat(TableEncoder.get(out.get(0), last)).as("%s.%s when missing", type, last.name())
                            .isEqualTo(last.defaultValue());
                } finally {
                    Codec.releaseAll(out);
                }
            }
        }
        // framing.trailing: skip
        assertDecodesToSample(type, "with a trailing element", encoder.encode(base(type, Profile.SAMPLE),
                Edit.append(Path.of(), later)));
        for (Field f : def.fields()) {
            if (f.elementType() != null && table.records().containsKey(f.elementType())) {
                RecordDef r = table.record(f.elementType());
                Path record = Path.of(f.index(), 0);
                assertMalformed(type, type + "." + f.name() + "[0] without its last field",
                        encoder.encode(base(type, Profile.SAMPLE), Edit.dropLast(record)));
                assertThat(r.trailing()).isEqualTo("skip");
                assertDecodesToSample(type, f.name() + "[0] with a trailing element",
                        encoder.encode(base(type, Profile.SAMPLE), Edit.append(record, later)));
            }
            if (f.type().equals("properties")) {
                // trailing: keep
                Frame sample = base(type, Profile.SAMPLE);
                List<Object> out = Codec.decode(receivers(type).get(0),
                        encoder.encode(sample, Edit.append(Path.of(f.index()), later)));
                try {
                    Properties p = (Properties) TableEncoder.get(out.get(0), f);
                    assertThat(p.unknown()).isEqualTo(UnknownProperties.of(1, later));
                    assertThat(p.toBuilder().unknown(null).build()).isEqualTo(TableEncoder.get(sample, f));
                } finally {
                    Codec.releaseAll(out);
                    ReferenceCountUtil.release(sample);
                }
                // Every property is optional: fewer than seven is no error.
                assertThat(table.record("properties").fields()).allMatch(Field::nullable);
            }
        }
    }

    @Test
    void shouldDecodeFloat32AndFloat64AsTheSameDoubleWhenTheyAreMapValues() {
        assertThat(table.types().get("float64").msgpack()).containsExactly("float 32", "float 64");
        for (String value : List.of("ca 3f c0 00 00", "cb 3f f8 00 00 00 00 00 00")) {
            byte[] bytes = VectorCatalog.frameBytes(hex("98 0c 01 a1 71 c2 c2 c2 c2 81 a1 66 " + value));
            List<Object> out = Codec.decode(true, bytes);
            try {
                assertThat(((QueueDeclare) out.get(0)).arguments()).containsExactly(Map.entry("f", 1.5d));
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    @Test
    void shouldRefuseMapValueOfEveryKindTheTableDoesNotListWhenDecoding() {
        assertThat(table.types().get("map").msgpack()).containsExactly("fixmap", "map 16", "map 32");
        for (Map.Entry<String, String> kind : KINDS.entrySet()) {
            byte[] bytes = VectorCatalog.frameBytes(hex("98 0c 01 a1 71 c2 c2 c2 c2 81 a1 66 " + kind.getValue()));
            boolean listed = Set.of("nil", "bool", "int", "float", "str", "bin").contains(kind.getKey());
            List<Object> out = Codec.decode(true, bytes);
            try {
                assertThat(out.get(0) instanceof DecodeFailure).as("map value of kind %s", kind.getKey())
                        .isEqualTo(!listed);
            } finally {
                Codec.releaseAll(out);
            }
        }
        // int64 range in map values: 2^63 is beyond it.
        assertMalformed(FrameType.QUEUE_DECLARE, "map value 2^63",
                VectorCatalog.frameBytes(hex("98 0c 01 a1 71 c2 c2 c2 c2 81 a1 66 cf 80 00 00 00 00 00 00 00")));
    }

    @Test
    void shouldKeepEveryKindOfValueWhenItIsAPropertyOfALaterVersion() {
        Frame sample = base(FrameType.PUBLISH, Profile.SAMPLE);
        try {
            for (String kind : KINDS.values()) {
                byte[] bytes = encoder.encode(sample, Edit.append(Path.of(5), hex("c3")), Edit.append(Path.of(5), hex(kind)));
                List<Object> out = Codec.decode(true, bytes);
                try {
                    Properties p = ((Publish) out.get(0)).properties();
                    int count = kind.equals("c0") ? 1 : 2; // a trailing nil is absent
                    assertThat(p.unknown().count()).as("unknown after %s", kind).isEqualTo(count);
                } finally {
                    Codec.releaseAll(out);
                }
            }
        } finally {
            ReferenceCountUtil.release(sample);
        }
    }

    // ---- helpers ----

    private static Frame base(FrameType type, Profile profile) {
        return samples.frame(type, profile);
    }

    /** Every field of a frame: its own, those of the first element of each list of records, each property. */
    static List<Spot> spots(FrameType type) {
        List<Spot> out = new ArrayList<>();
        for (Field f : table.frame(type).fields()) {
            Path path = Path.of(f.index());
            out.add(new Spot(type, path, f));
            String element = f.elementType();
            if (element != null && table.records().containsKey(element)) {
                for (Field rf : table.record(element).fields()) {
                    out.add(new Spot(type, path.then(0).then(rf.index()), rf));
                }
            }
            if (f.type().equals("properties")) {
                for (Field pf : table.record("properties").fields()) {
                    out.add(new Spot(type, path.then(pf.index()), pf));
                }
            }
        }
        return out;
    }

    private static FrameTable.Type typeOf(Field f) {
        return table.types().get(f.elementType() != null ? "array" : f.type());
    }

    private static Set<String> acceptedKinds(Field f) {
        Set<String> kinds = new HashSet<>();
        if (f.nullable()) {
            kinds.add("nil");
        }
        kinds.add(f.elementType() != null ? "array" : switch (f.type()) {
            case "uint63", "uint31", "int64" -> "int";
            case "properties" -> "array";
            default -> f.type();
        });
        return kinds;
    }

    /** The SAMPLE value of a spot written in one MessagePack format, with the value it decodes to. */
    private static Map.Entry<byte[], Object> sample(Spot spot, String format) {
        Field f = spot.field();
        String type = f.elementType() != null ? "array" : f.type();
        switch (type) {
            case "uint63", "uint31", "int64" -> {
                long v = format.equals("negative fixint") ? -5 : 5;
                return Map.entry(integer(format, v), box(f, v));
            }
            case "str" -> {
                return Map.entry(concat(header(format, 2, "a", "d9", "da", "db"), hex("61 62")), "ab");
            }
            case "bin" -> {
                return Map.entry(concat(header(format, 2, null, "c4", "c5", "c6"), hex("01 02")), new byte[] {1, 2});
            }
            case "bool" -> {
                return Map.entry(hex(format.equals("true") ? "c3" : "c2"), format.equals("true"));
            }
            default -> {
                // array, map, properties: the canonical SAMPLE element with another header.
                Frame sample = base(spot.type(), Profile.SAMPLE);
                try {
                    byte[] canonical = encoder.element(sample, spot.path());
                    int n = canonical[0] & 0x0f;
                    byte[] h = type.equals("map") ? header(format, n, "8", null, "de", "df")
                            : header(format, n, "9", null, "dc", "dd");
                    return Map.entry(concat(h, Arrays.copyOfRange(canonical, 1, canonical.length)),
                            valueAt(sample, spot));
                } finally {
                    ReferenceCountUtil.release(sample);
                }
            }
        }
    }

    /** A header of a str, bin, array or map of {@code n} in the named format. */
    private static byte[] header(String format, int n, String fixNibble, String b8, String b16, String b32) {
        if (format.startsWith("fix")) {
            return new byte[] {(byte) (Integer.parseInt(fixNibble, 16) << 4 | n)};
        }
        if (format.endsWith(" 8")) {
            return concat(hex(b8), new byte[] {(byte) n});
        }
        if (format.endsWith(" 16")) {
            return concat(hex(b16), new byte[] {0, (byte) n});
        }
        if (format.endsWith(" 32")) {
            return concat(hex(b32), new byte[] {0, 0, 0, (byte) n});
        }
        throw new AssertionError("unknown MessagePack format '" + format + "'");
    }

    /** {@code v} in the named integer format. */
    private static byte[] integer(String format, long v) {
        return switch (format) {
            case "positive fixint", "negative fixint" -> new byte[] {(byte) v};
            case "uint 8" -> new byte[] {(byte) 0xcc, (byte) v};
            case "uint 16" -> hexWith("cd", v, 2);
            case "uint 32" -> hexWith("ce", v, 4);
            case "uint 64" -> hexWith("cf", v, 8);
            case "int 8" -> new byte[] {(byte) 0xd0, (byte) v};
            case "int 16" -> hexWith("d1", v, 2);
            case "int 32" -> hexWith("d2", v, 4);
            case "int 64" -> hexWith("d3", v, 8);
            default -> throw new AssertionError("unknown MessagePack integer format '" + format + "'");
        };
    }

    private static byte[] hexWith(String marker, long v, int bytes) {
        byte[] out = new byte[1 + bytes];
        out[0] = (byte) Integer.parseInt(marker, 16);
        for (int i = 0; i < bytes; i++) {
            out[bytes - i] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    /** Decodes the SAMPLE frame with {@code raw} in place of the spot and checks the spot's value. */
    private static void assertDecodesTo(Spot spot, String what, byte[] raw, Object expected) {
        Frame sample = base(spot.type(), Profile.SAMPLE);
        byte[] bytes = encoder.encode(sample, Edit.replace(spot.path(), raw));
        ReferenceCountUtil.release(sample);
        for (boolean serverSide : receivers(spot.type())) {
            List<Object> out = Codec.decode(serverSide, bytes);
            try {
                assertThat(out).as("%s, %s", spot, what).hasSize(1);
                assertThat(out.get(0)).as("%s, %s: %s", spot, what, out.get(0)).isInstanceOf(Frame.class);
                Object actual = valueAt((Frame) out.get(0), spot);
                if (actual instanceof ByteBuf b) {
                    actual = ByteBufUtil.getBytes(b);
                }
                assertThat(actual).as("%s, %s", spot, what).usingRecursiveComparison().isEqualTo(expected);
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    private static void assertDecodesToSample(FrameType type, String what, byte[] bytes) {
        Frame sample = base(type, Profile.SAMPLE);
        try {
            for (boolean serverSide : receivers(type)) {
                List<Object> out = Codec.decode(serverSide, bytes);
                try {
                    assertThat(out).as("%s %s", type, what).hasSize(1);
                    Codec.assertSameFrame(out.get(0), sample);
                } finally {
                    Codec.releaseAll(out);
                }
            }
        } finally {
            ReferenceCountUtil.release(sample);
        }
    }

    private static void assertMalformed(FrameType type, String what, byte[] bytes) {
        for (boolean serverSide : receivers(type)) {
            List<Object> out = Codec.decode(serverSide, bytes);
            try {
                assertThat(out).as(what).hasSize(1);
                assertThat(out.get(0)).as("%s: %s", what, out.get(0)).isInstanceOf(DecodeFailure.class);
                assertThat(((DecodeFailure) out.get(0)).code()).as(what).isEqualTo(ErrorCode.MALFORMED_FRAME);
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    /** The value at a spot of a decoded frame. */
    private static Object valueAt(Frame frame, Spot spot) {
        List<Integer> ix = spot.path().indexes();
        FrameDef def = table.frame(spot.type());
        Field top = def.fields().get(ix.get(0) - 1);
        Object value = TableEncoder.get(frame, top);
        if (ix.size() == 1) {
            return value;
        }
        if (top.type().equals("properties")) {
            return TableEncoder.get(value, spot.field());
        }
        return TableEncoder.get(((List<?>) value).get(ix.get(1)), spot.field());
    }

    private static void assertValueType(String what, Field f, Value v) {
        if (f.nullable() && v.isNilValue()) {
            return;
        }
        String element = f.elementType();
        if (element != null) {
            assertThat(v.getValueType()).as(what).isEqualTo(ValueType.ARRAY);
            for (Value item : v.asArrayValue()) {
                if (element.equals("str")) {
                    assertThat(item.getValueType()).as(what + "[]").isEqualTo(ValueType.STRING);
                } else {
                    RecordDef r = table.record(element);
                    assertThat(item.asArrayValue().size()).as(what + "[] elements").isEqualTo(r.fields().size());
                    for (Field rf : r.fields()) {
                        assertValueType(what + "[]." + rf.name(), rf, item.asArrayValue().get(rf.index()));
                    }
                }
            }
            return;
        }
        switch (f.type()) {
            case "uint63", "uint31", "int64" -> assertThat(v.getValueType()).as(what).isEqualTo(ValueType.INTEGER);
            case "bool" -> assertThat(v.getValueType()).as(what).isEqualTo(ValueType.BOOLEAN);
            case "str" -> assertThat(v.getValueType()).as(what).isEqualTo(ValueType.STRING);
            case "bin" -> assertThat(v.getValueType()).as(what).isEqualTo(ValueType.BINARY);
            case "map" -> assertThat(v.getValueType()).as(what).isEqualTo(ValueType.MAP);
            case "properties" -> {
                assertThat(v.getValueType()).as(what).isEqualTo(ValueType.ARRAY);
                List<Field> props = table.record("properties").fields();
                ArrayValue a = v.asArrayValue();
                for (int i = 0; i < Math.min(a.size(), props.size()); i++) {
                    assertValueType(what + "." + props.get(i).name(), props.get(i), a.get(i));
                }
                if (a.size() < props.size() && a.size() > 0) {
                    assertThat(a.get(a.size() - 1).isNilValue()).as("%s ends with a present property", what).isFalse();
                }
            }
            default -> throw new AssertionError("no MessagePack type for " + f.type());
        }
    }

    private static Value unpack(byte[] frame) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(Arrays.copyOfRange(frame, 4, frame.length))) {
            Value v = u.unpackValue();
            assertThat(u.hasNext()).isFalse();
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sides that receive a frame type: true for the server. */
    static List<Boolean> receivers(FrameType type) {
        List<Boolean> out = new ArrayList<>();
        if (type.sentByClient()) {
            out.add(true);
        }
        if (type.sentByServer()) {
            out.add(false);
        }
        return out;
    }

    private static byte[] hex(String h) {
        return TestVectors.parseHex(h);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
