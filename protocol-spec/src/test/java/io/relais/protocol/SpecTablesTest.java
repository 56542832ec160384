package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.FrameTable.Field;
import io.relais.protocol.FrameTable.FrameDef;
import io.relais.protocol.FrameTable.RecordDef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tables of PROTOCOL.md against {@code frames.yaml}: the types of section 1.3, the properties
 * of 1.4, requests and answers of 1.7, the frame list of section 2, the states of 3.2, and for each
 * frame of section 4 its id, sender, wire form and Fields table (names, order, types, limits), and
 * the nested records.
 */
class SpecTablesTest {
    private static final Pattern HEADING = Pattern.compile("^(#{2,3}) (\\S+) (.*)$");
    private static final Pattern FRAME_HEADING = Pattern.compile("4\\.\\d+");

    private static FrameTable table;
    /** Section text by number ("1.3", "4.22"); the title is the first line. */
    private static Map<String, String> sections;

    @BeforeAll
    static void load() throws IOException {
        table = FrameTable.load();
        List<String> lines = Files.readAllLines(FrameTable.path().resolveSibling("PROTOCOL.md"), StandardCharsets.UTF_8);
        sections = new LinkedHashMap<>();
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                if (current != null) {
                    sections.put(current, text.toString());
                }
                current = m.group(2).replaceAll("\\.$", "");
                text = new StringBuilder(m.group(3)).append('\n');
            } else {
                text.append(line).append('\n');
            }
        }
        sections.put(current, text.toString());
    }

    @Test
    void shouldListTheTypesOfFramesYamlWhenSection13IsRead() {
        List<List<String>> rows = table(section("1.3"), "Spec type");
        Map<String, List<String>> byType = new LinkedHashMap<>();
        rows.forEach(r -> byType.put(code(r.get(0)), r));
        assertThat(byType.keySet()).containsExactlyElementsOf(table.types().keySet());
        for (FrameTable.Type t : table.types().values()) {
            String encoding = byType.get(t.name()).get(1);
            for (String format : t.msgpack()) {
                assertThat(encoding).as("MessagePack formats of %s", t.name()).contains(format);
            }
            if (t.max() != null) {
                assertThat(byType.get(t.name()).get(2)).as("range of %s", t.name())
                        .contains(t.max() == Long.MAX_VALUE ? "2^63-1" : "2^31-1");
            }
        }
    }

    @Test
    void shouldListThePropertiesRecordWhenSection14IsRead() {
        assertRecord(table.record("properties"), table(section("1.4"), "#"));
    }

    @Test
    void shouldDescribeEachNestedRecordWhenItsListAnswerIsRead() {
        assertRecord(table.record("exchange_info"), table(frameSection("EXCHANGE_LIST_OK"), "#"));
        assertRecord(table.record("queue_info"), table(frameSection("QUEUE_LIST_OK"), "#"));
        assertThat(frameSection("EXCHANGE_LIST_OK")).contains("Nested record `exchange_info`");
        assertThat(frameSection("QUEUE_LIST_OK")).contains("Nested record `queue_info`");
    }

    @Test
    void shouldMapEveryRequestToItsAnswerWhenSection17IsRead() {
        Map<String, String> success = new LinkedHashMap<>();
        for (List<String> row : table(section("1.7"), "Request")) {
            String answer = row.get(1).split("\\s+")[0];
            for (String request : row.get(0).split(",\\s*")) {
                success.put(request.strip(), answer);
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (FrameDef f : table.frames()) {
            f.answers().stream().filter(a -> !a.equals("ERROR")).forEach(a -> expected.put(f.name(), a));
        }
        assertThat(success).containsExactlyInAnyOrderEntriesOf(expected);
        String requests = section("1.7").substring(0, section("1.7").indexOf("are *requests*"));
        for (String name : expected.keySet()) {
            assertThat(requests).as("1.7 names %s a request", name).contains(name);
        }
    }

    @Test
    void shouldListEveryFrameWithIdAndSenderWhenSection2IsRead() {
        List<List<String>> rows = table(section("2"), "Id");
        assertThat(rows).hasSameSizeAs(table.frames());
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            FrameDef f = table.frames().get(i);
            assertThat(Integer.parseInt(row.get(0))).isEqualTo(f.id());
            assertThat(code(row.get(1))).isEqualTo(String.format(Locale.ROOT, "%02x", f.id()));
            assertThat(row.get(2)).startsWith("[" + f.name() + "]");
            assertThat(row.get(3)).isEqualTo(f.sentBy());
        }
    }

    @Test
    void shouldGiveTheStatesOfFramesYamlWhenSection32IsRead() {
        String text = section("3.2");
        Map<String, Map<String, String>> byServer = states(table(text, "Client frame"));
        Map<String, Map<String, String>> byClient = states(table(text, "Server frame"));
        for (FrameDef f : table.frames()) {
            assertThat(byServer.get(f.name())).as("3.2, %s received by the server", f.name())
                    .isEqualTo(f.states().get("by_server"));
            assertThat(byClient.get(f.name())).as("3.2, %s received by a client", f.name())
                    .isEqualTo(f.states().get("by_client"));
        }
    }

    @Test
    void shouldGiveIdSenderAndWireFormOfFramesYamlWhenEachFrameSectionIsRead() {
        for (FrameDef f : table.frames()) {
            String text = frameSection(f.name());
            String sender = switch (f.sentBy()) {
                case "client" -> "the client";
                case "server" -> "the server";
                default -> "both sides";
            };
            assertThat(text).as("section of %s", f.name()).contains("Id " + f.id() + ", sent by " + sender + ".");
            Matcher m = Pattern.compile("Wire form:\\s*`\\[([^]]*)]`").matcher(text);
            assertThat(m.find()).as("wire form of %s", f.name()).isTrue();
            List<String> wire = Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
            List<String> expected = new ArrayList<>();
            expected.add(String.valueOf(f.id()));
            f.fields().forEach(field -> expected.add(field.name()));
            assertThat(wire).as("wire form of %s", f.name()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void shouldGiveNamesTypesAndLimitsOfFramesYamlWhenEachFieldsTableIsRead() {
        for (FrameDef f : table.frames()) {
            String text = frameSection(f.name());
            if (f.fields().isEmpty()) {
                assertThat(text).as("fields of %s", f.name()).contains("**Fields.** None.");
                continue;
            }
            List<List<String>> rows = table(text, "Name");
            assertThat(rows).as("Fields table of %s", f.name()).hasSameSizeAs(f.fields());
            for (int i = 0; i < rows.size(); i++) {
                Field field = f.fields().get(i);
                String what = f.name() + "." + field.name();
                assertThat(code(rows.get(i).get(0))).as(what).isEqualTo(field.name());
                assertThat(rows.get(i).get(1)).as("type of %s", what).isEqualTo(field.type());
                Map<String, Object> limits = new LinkedHashMap<>(field.limits());
                limits.remove("bits");
                assertThat(limits(rows.get(i).get(3))).as("limits of %s: %s", what, rows.get(i).get(3))
                        .isEqualTo(limits);
            }
        }
    }

    /** The limits a Limits cell states, with the keys of frames.yaml. */
    static Map<String, Object> limits(String cell) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (cell.startsWith("Whole frame") || cell.startsWith("Frame ")) {
            return out;
        }
        Matcher m = Pattern.compile("^(\\d+)-(\\d+) bytes").matcher(cell);
        if (m.find()) {
            if (!m.group(1).equals("0")) {
                out.put("min_bytes", Integer.parseInt(m.group(1)));
            }
            out.put("max_bytes", Integer.parseInt(m.group(2)));
        }
        m = Pattern.compile("^<= (\\d+) bytes").matcher(cell);
        if (m.find()) {
            out.put("max_bytes", Integer.parseInt(m.group(1)));
        }
        if (cell.startsWith("> 0")) {
            out.put("min", 1);
        }
        m = Pattern.compile(">= (\\d+)").matcher(cell);
        if (m.find()) {
            out.put("min", Integer.parseInt(m.group(1)));
        }
        if (cell.startsWith("At least one")) {
            out.put("min_items", 1);
        }
        m = Pattern.compile("^0-(\\d+)$").matcher(cell);
        if (m.find()) {
            out.put("max", Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static void assertRecord(RecordDef record, List<List<String>> rows) {
        assertThat(rows).as("rows of %s", record.name()).hasSameSizeAs(record.fields());
        for (int i = 0; i < rows.size(); i++) {
            Field f = record.fields().get(i);
            List<String> row = rows.get(i);
            assertThat(Integer.parseInt(row.get(0))).as("%s.%s", record.name(), f.name()).isEqualTo(f.index());
            assertThat(code(row.get(1))).isEqualTo(f.name());
            assertThat(row.get(2)).as("type of %s.%s", record.name(), f.name())
                    .isEqualTo(f.nullable() ? f.type() + " or nil" : f.type());
        }
    }

    /** Reads a table of 3.2 into frame name -> state -> action. */
    private static Map<String, Map<String, String>> states(List<List<String>> rows) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (List<String> row : rows) {
            String names = row.get(0).replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1").replaceAll("\\([^)]*\\)", "").strip();
            if (names.startsWith("a ") || names.startsWith("an ")) {
                continue; // wrong sender, unknown id: not frames of the table
            }
            List<String> frames = new ArrayList<>();
            for (String name : names.split("\\s*,\\s*")) {
                if (name.equals("requests")) {
                    table.frames().stream().filter(f -> !f.answers().isEmpty()).forEach(f -> frames.add(f.name()));
                } else {
                    frames.add(name.strip());
                }
            }
            Map<String, String> byState = new LinkedHashMap<>();
            for (int i = 0; i < table.states().size(); i++) {
                byState.put(table.states().get(i), action(row.get(i + 1)));
            }
            frames.forEach(f -> out.put(f, byState));
        }
        return out;
    }

    private static String action(String cell) {
        if (cell.startsWith("legal only if fatal")) {
            return "fatal_only";
        } else if (cell.startsWith("legal")) {
            return "legal";
        } else if (cell.startsWith("discarded")) {
            return "discard";
        } else if (cell.startsWith("2004") || cell.startsWith("illegal")) {
            return "error";
        }
        throw new AssertionError("3.2: unknown action '" + cell + "'");
    }

    @Test
    void shouldListEveryErrorCodeWithItsNameWhenSection9IsRead() {
        Map<Integer, String> documented = new LinkedHashMap<>();
        for (String number : List.of("9.1", "9.2")) {
            for (List<String> row : table(section(number), "Code")) {
                documented.put(Integer.parseInt(row.get(0)), row.get(1));
            }
        }
        Map<Integer, String> codes = new LinkedHashMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            codes.put(c.code(), c.name());
            assertThat(c.closesConnection()).as("%s is in 9.1 exactly when it closes the connection", c)
                    .isEqualTo(table(section("9.1"), "Code").stream().anyMatch(r -> r.get(1).equals(c.name())));
        }
        assertThat(documented).containsExactlyInAnyOrderEntriesOf(codes);
    }

    private static String section(String number) {
        String s = sections.get(number);
        assertThat(s).as("section %s of PROTOCOL.md", number).isNotNull();
        return s;
    }

    /** The section 4.N whose title is the frame's name. */
    private static String frameSection(String name) {
        for (Map.Entry<String, String> e : sections.entrySet()) {
            if (FRAME_HEADING.matcher(e.getKey()).matches() && e.getValue().startsWith(name + "\n")) {
                return e.getValue();
            }
        }
        throw new AssertionError("no section 4.N " + name);
    }

    /** The rows (without header and separator) of the first table whose first header cell is {@code firstHeader}. */
    static List<List<String>> table(String text, String firstHeader) {
        List<List<String>> rows = new ArrayList<>();
        boolean in = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith("|")) {
                if (in) {
                    break;
                }
                continue;
            }
            List<String> cells = cells(line);
            if (!in) {
                in = cells.get(0).equals(firstHeader);
                continue;
            }
            if (cells.get(0).matches("-+:?|:?-+")) {
                continue;
            }
            rows.add(cells);
        }
        assertThat(in).as("a table starting with '%s'", firstHeader).isTrue();
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.strip();
        inner = inner.substring(1, inner.length() - 1);
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }

    /** A cell's text without the backticks around it. */
    private static String code(String cell) {
        return cell.replace("`", "");
    }
}
