package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks that {@code frames.yaml} and {@link FrameType} plus the frame records describe the same protocol. */
class FrameTableTest {
    private static final Pattern NAME = Pattern.compile("^  - name: ([A-Z_]+)\\s*$");
    private static final Pattern KEY = Pattern.compile("^    (id|sent_by|since): (\\S+)\\s*$");
    private static final Pattern FIELD = Pattern.compile("^      - \\{name: ([a-z_]+), type: ([^,]+), since: (\\d+)}\\s*$");
    private static final Pattern NO_FIELDS = Pattern.compile("^    fields: \\[]\\s*$");

    record YamlFrame(String name, int id, String sentBy, List<String> fields) {
    }

    private static List<YamlFrame> frames;

    @BeforeAll
    static void parse() throws IOException {
        Path yaml = TestVectors.directory().getParent().resolve("frames.yaml");
        frames = parse(Files.readAllLines(yaml, StandardCharsets.UTF_8));
    }

    /** A minimal reader for the fixed layout of frames.yaml; fails on lines it does not understand. */
    static List<YamlFrame> parse(List<String> lines) {
        List<YamlFrame> out = new ArrayList<>();
        String name = null;
        Integer id = null;
        String sentBy = null;
        List<String> fields = null;
        boolean inFrames = false;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.equals("frames:")) {
                inFrames = true;
                continue;
            }
            if (!inFrames) {
                continue;
            }
            Matcher m;
            if ((m = NAME.matcher(line)).matches()) {
                if (name != null) {
                    out.add(new YamlFrame(name, id, sentBy, fields));
                }
                name = m.group(1);
                id = null;
                sentBy = null;
                fields = new ArrayList<>();
            } else if ((m = KEY.matcher(line)).matches()) {
                if (m.group(1).equals("id")) {
                    id = Integer.parseInt(m.group(2));
                } else if (m.group(1).equals("sent_by")) {
                    sentBy = m.group(2);
                }
            } else if ((m = FIELD.matcher(line)).matches()) {
                fields.add(m.group(1));
            } else if (NO_FIELDS.matcher(line).matches() || line.startsWith("    purpose: ")
                    || line.equals("    fields:")) {
                // nothing to check
            } else {
                throw new IllegalArgumentException("frames.yaml: unexpected line: " + line);
            }
        }
        if (name != null) {
            out.add(new YamlFrame(name, id, sentBy, fields));
        }
        return out;
    }

    @Test
    void shouldListEveryFrameTypeInOrderWhenYamlIsParsed() {
        assertThat(frames).extracting(YamlFrame::name)
                .containsExactlyElementsOf(Arrays.stream(FrameType.values()).map(Enum::name).toList());
    }

    @Test
    void shouldAgreeOnIdsWhenYamlIsComparedWithFrameType() {
        for (YamlFrame f : frames) {
            assertThat(f.id()).as("id of %s", f.name()).isEqualTo(FrameType.valueOf(f.name()).id());
            assertThat(FrameType.byId(f.id())).isEqualTo(FrameType.valueOf(f.name()));
        }
        assertThat(frames).extracting(YamlFrame::id).doesNotHaveDuplicates();
    }

    @Test
    void shouldAgreeOnSendersWhenYamlIsComparedWithFrameType() {
        for (YamlFrame f : frames) {
            assertThat(f.sentBy()).as("sent_by of %s", f.name())
                    .isEqualTo(FrameType.valueOf(f.name()).sender().name().toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void shouldAgreeOnFieldsWhenYamlIsComparedWithRecordComponents() {
        for (YamlFrame f : frames) {
            RecordComponent[] components = recordClass(FrameType.valueOf(f.name())).getRecordComponents();
            assertThat(Arrays.stream(components).map(RecordComponent::getName).toList())
                    .as("record components of %s (wire order)", f.name())
                    .containsExactlyElementsOf(f.fields().stream().map(FrameTableTest::camel).toList());
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
