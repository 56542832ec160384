package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.FrameTable.Field;
import io.relais.protocol.FrameTable.FrameDef;
import io.relais.protocol.FrameTable.RecordDef;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Request;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks that {@code frames.yaml} and {@link FrameType} plus the frame records describe the same
 * protocol: ids, senders, field names and order, the Java type behind each declared type, the nested
 * records, requests and their answers, flag bits and states.
 */
class FrameTableTest {
    private static FrameTable table;

    @BeforeAll
    static void load() {
        table = FrameTable.load();
    }

    @Test
    void shouldListEveryFrameTypeInOrderWhenYamlIsParsed() {
        assertThat(table.frames()).extracting(FrameDef::name)
                .containsExactlyElementsOf(Arrays.stream(FrameType.values()).map(Enum::name).toList());
    }

    @Test
    void shouldAgreeOnIdsWhenYamlIsComparedWithFrameType() {
        for (FrameDef f : table.frames()) {
            assertThat(f.id()).as("id of %s", f.name()).isEqualTo(f.frameType().id());
            assertThat(FrameType.byId(f.id())).isEqualTo(f.frameType());
        }
        assertThat(table.frames()).extracting(FrameDef::id).doesNotHaveDuplicates();
    }

    @Test
    void shouldAgreeOnSendersWhenYamlIsComparedWithFrameType() {
        for (FrameDef f : table.frames()) {
            assertThat(f.sentBy()).as("sent_by of %s", f.name())
                    .isEqualTo(f.frameType().sender().name().toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void shouldAgreeOnFieldsWhenYamlIsComparedWithRecordComponents() {
        for (FrameDef f : table.frames()) {
            RecordComponent[] components = recordClass(f.frameType()).getRecordComponents();
            assertThat(Arrays.stream(components).map(RecordComponent::getName).toList())
                    .as("record components of %s (wire order)", f.name())
                    .containsExactlyElementsOf(f.fields().stream().map(Field::name).map(FrameTableTest::camel).toList());
        }
    }

    @Test
    void shouldNumberFieldsByTheirPositionWhenYamlGivesIndexes() {
        for (FrameDef f : table.frames()) {
            for (int i = 0; i < f.fields().size(); i++) {
                assertThat(f.fields().get(i).index()).as("index of %s.%s", f.name(), f.fields().get(i).name())
                        .isEqualTo(i + 1);
            }
        }
        for (RecordDef r : table.records().values()) {
            for (int i = 0; i < r.fields().size(); i++) {
                assertThat(r.fields().get(i).index()).as("index of %s.%s", r.name(), r.fields().get(i).name())
                        .isEqualTo(i);
            }
        }
    }

    @Test
    void shouldDeclareTheTypeTheCodecReadsWhenYamlIsComparedWithComponentTypes() {
        for (FrameDef f : table.frames()) {
            RecordComponent[] components = recordClass(f.frameType()).getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                assertJavaType(f.name(), f.fields().get(i), components[i]);
            }
        }
    }

    @Test
    void shouldDescribeEachNestedRecordWhenYamlIsComparedWithItsJavaRecord() {
        assertThat(table.records().keySet()).containsExactly("exchange_info", "queue_info", "user_info", "properties");
        for (RecordDef r : table.records().values()) {
            Class<?> c = nestedRecordClass(r.name());
            List<RecordComponent> components = new ArrayList<>(Arrays.asList(c.getRecordComponents()));
            if (r.trailing().equals("keep")) {
                // The elements after the known fields are kept in one last component.
                RecordComponent kept = components.remove(components.size() - 1);
                assertThat(kept.getType()).as("%s keeps unknown trailing elements", r.name())
                        .isEqualTo(UnknownProperties.class);
            } else {
                assertThat(r.trailing()).as("%s.trailing", r.name()).isEqualTo("skip");
            }
            assertThat(components.stream().map(RecordComponent::getName).toList()).as("components of %s", c)
                    .containsExactlyElementsOf(r.fields().stream().map(Field::name).map(FrameTableTest::camel).toList());
            for (int i = 0; i < components.size(); i++) {
                assertJavaType(r.name(), r.fields().get(i), components.get(i));
            }
        }
        assertThat(Properties.V1_FIELDS).isEqualTo(table.record("properties").fields().size());
        assertThat(table.record("properties").fields()).allMatch(Field::nullable);
        assertThat(table.record("properties").omitTrailingAbsent()).isTrue();
    }

    @Test
    void shouldNameTheFieldsThatHoldEachRecordWhenYamlListsUsedBy() {
        for (RecordDef r : table.records().values()) {
            List<String> holders = new ArrayList<>();
            for (FrameDef f : table.frames()) {
                for (Field field : f.fields()) {
                    if (r.name().equals(field.elementType()) || r.name().equals(field.type())) {
                        holders.add(f.name() + "." + field.name());
                    }
                }
            }
            assertThat(holders).as("fields holding %s", r.name()).containsExactlyElementsOf(r.usedBy());
        }
    }

    @Test
    void shouldUseOnlyDeclaredTypesWhenFieldsAreListed() {
        List<Field> all = new ArrayList<>();
        table.frames().forEach(f -> all.addAll(f.fields()));
        table.records().values().forEach(r -> all.addAll(r.fields()));
        for (Field field : all) {
            String element = field.elementType();
            if (element != null) {
                assertThat(element.equals("str") || table.records().containsKey(element))
                        .as("element type of %s", field).isTrue();
            } else {
                assertThat(table.types()).as("type of %s", field).containsKey(field.type());
            }
            assertThat(field.since()).isBetween(1, table.version());
        }
        assertThat(table.types().get("uint63").max()).isEqualTo(Long.MAX_VALUE);
        assertThat(table.types().get("uint31").max()).isEqualTo((long) Integer.MAX_VALUE);
        assertThat(table.types().get("int64").min()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldMatchRequestAndAnswerInterfacesWhenYamlListsAnswers() {
        for (FrameDef f : table.frames()) {
            Class<?> c = recordClass(f.frameType());
            assertThat(!f.answers().isEmpty()).as("%s has answers iff it is a Request", f.name())
                    .isEqualTo(Request.class.isAssignableFrom(c));
            assertThat(!f.answerTo().isEmpty()).as("%s has answer_to iff it is an Answer", f.name())
                    .isEqualTo(Answer.class.isAssignableFrom(c));
            if (!f.answers().isEmpty()) {
                assertThat(f.answers()).as("answers of %s", f.name()).contains("ERROR").hasSize(2);
                assertThat(f.frameType().sentByClient()).isTrue();
            }
            for (String answer : f.answers()) {
                assertThat(table.frame(answer).answerTo()).as("answer_to of %s", answer).contains(f.name());
            }
            for (String request : f.answerTo()) {
                assertThat(table.frame(request).answers()).as("answers of %s", request).contains(f.name());
            }
            if (!f.answers().isEmpty() || !f.answerTo().isEmpty()) {
                assertThat(f.fields().get(0).name()).as("first field of %s", f.name()).isEqualTo("request_id");
            }
        }
    }

    @Test
    void shouldNameFlagBitsLikeTheFrameConstantsWhenYamlListsBits() {
        assertThat(bits("PUBLISH")).containsExactly(Map.entry("persistent", Publish.PERSISTENT),
                Map.entry("mandatory", Publish.MANDATORY));
        assertThat(table.frame("PUBLISH").fields().get(3).limits()).containsEntry("max", Publish.KNOWN_FLAGS);
        assertThat(bits("DELIVER")).containsExactly(Map.entry("redelivered", Deliver.REDELIVERED),
                Map.entry("persistent", Deliver.PERSISTENT));
    }

    @Test
    void shouldGiveAnActionForEveryStateWhenAFrameCanBeReceived() {
        assertThat(table.states()).containsExactly("AWAIT_HELLO", "AWAIT_AUTH", "OPEN", "CLOSING");
        assertThat(table.actions()).containsExactlyInAnyOrder("legal", "discard", "error", "fatal_only");
        for (FrameDef f : table.frames()) {
            assertThat(f.states().keySet()).as("receivers of %s", f.name())
                    .containsExactlyInAnyOrderElementsOf(receivers(f.frameType()));
            for (Map<String, String> byState : f.states().values()) {
                assertThat(byState.keySet()).as("states of %s", f.name()).containsExactlyElementsOf(table.states());
                assertThat(table.actions()).containsAll(byState.values());
            }
        }
        assertThat(table.frames().stream().filter(f -> f.states().toString().contains("fatal_only"))
                .map(FrameDef::name).toList()).containsExactly("ERROR");
    }

    private static Map<String, Integer> bits(String frame) {
        Field flags = table.frame(frame).fields().stream().filter(f -> f.name().equals("flags")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Integer> bits = (Map<String, Integer>) flags.limits().get("bits");
        return bits;
    }

    /** The keys of a frame's states: who receives it. */
    static Set<String> receivers(FrameType type) {
        Set<String> out = new HashSet<>();
        if (type.sentByClient()) {
            out.add("by_server");
        }
        if (type.sentByServer()) {
            out.add("by_client");
        }
        return out;
    }

    /** Asserts that the Java component behind a field has the type the codec reads the declared type as. */
    private static void assertJavaType(String owner, Field field, RecordComponent component) {
        String what = owner + "." + field.name();
        Class<?> raw = component.getType();
        String element = field.elementType();
        if (element != null) {
            assertThat(raw).as(what).isEqualTo(List.class);
            Type arg = ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
            assertThat(arg).as("element type of %s", what)
                    .isEqualTo(element.equals("str") ? String.class : nestedRecordClass(element));
            return;
        }
        switch (field.type()) {
            case "uint63" -> assertThat(raw).as(what).isEqualTo(field.nullable() ? Long.class : long.class);
            case "uint31" -> assertThat(raw).as(what).isEqualTo(int.class);
            case "int64" -> assertThat(raw).as(what).isEqualTo(Long.class);
            case "bool" -> assertThat(raw).as(what).isEqualTo(boolean.class);
            case "str" -> assertThat(raw).as(what).isEqualTo(String.class);
            case "bin" -> assertThat(raw).as(what).isIn(byte[].class, ByteBuf.class);
            case "map" -> assertThat(raw).as(what).isEqualTo(Map.class);
            case "properties" -> assertThat(raw).as(what).isEqualTo(Properties.class);
            default -> throw new AssertionError("no Java type for " + field.type() + " of " + what);
        }
    }

    /** The Java record of a nested record: exchange_info is ExchangeInfo, properties is Properties. */
    static Class<?> nestedRecordClass(String name) {
        String simple = pascal(name);
        String pkg = name.equals("properties") ? "io.relais.protocol." : "io.relais.protocol.frame.";
        try {
            Class<?> c = Class.forName(pkg + simple);
            assertThat(c.isRecord()).as("%s is a record", c).isTrue();
            return c;
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no record class for " + name, e);
        }
    }

    /** The record class of a frame type: the type name in CamelCase, ERROR being ErrorFrame. */
    static Class<?> recordClass(FrameType type) {
        String simple = type == FrameType.ERROR ? "ErrorFrame" : pascal(type.name().toLowerCase(Locale.ROOT));
        try {
            Class<?> c = Class.forName("io.relais.protocol.frame." + simple);
            assertThat(c.isRecord()).as("%s is a record", c).isTrue();
            return c;
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no record class for " + type, e);
        }
    }

    static String camel(String snake) {
        String p = pascal(snake);
        return Character.toLowerCase(p.charAt(0)) + p.substring(1);
    }

    static String pascal(String snake) {
        StringBuilder sb = new StringBuilder();
        for (String part : snake.split("_")) {
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }
}
