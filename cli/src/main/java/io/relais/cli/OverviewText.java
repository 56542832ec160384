package io.relais.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text {@code relais status} prints for the overview document of the HTTP admin API: one labelled line
 * each for the version and uptime, listeners, objects, messages, rates, totals, alarms and free disk. A field
 * the document lacks (or has as null: a counter the broker does not keep) prints as {@code -}; such a total is
 * left out. Stateless.
 */
final class OverviewText {
    private static final String MISSING = "-";

    private OverviewText() {
    }

    /** The lines for {@code overview}, each ending with a newline. */
    static String format(JsonNode overview) {
        List<String[]> lines = new ArrayList<>();
        String node = overview.path("node").asText("");
        lines.add(new String[] {"Broker", "Relais " + text(overview.path("version"))
                + (node.isEmpty() ? "" : " on " + node) + ", up " + uptime(overview.path("uptime_ms"))});
        lines.add(new String[] {"Listeners", listeners(overview.path("listeners"))});
        JsonNode objects = overview.path("object_totals");
        lines.add(new String[] {"Connections", count(objects.path("connections"))});
        lines.add(new String[] {"Objects", count(objects.path("vhosts")) + " vhosts, "
                + count(objects.path("exchanges")) + " exchanges, " + count(objects.path("queues")) + " queues, "
                + count(objects.path("consumers")) + " consumers"});
        JsonNode queued = overview.path("queue_totals");
        lines.add(new String[] {"Messages", count(queued.path("messages_ready")) + " ready, "
                + count(queued.path("messages_unacked")) + " unacknowledged"});
        JsonNode rates = overview.path("message_rates");
        lines.add(new String[] {"Rates", "publish " + rate(rates.path("publish")) + ", deliver "
                + rate(rates.path("deliver")) + ", ack " + rate(rates.path("ack"))});
        JsonNode totals = overview.path("message_totals");
        if (totals.isObject()) {
            List<String> parts = new ArrayList<>();
            totals.properties().stream().filter(e -> e.getValue().isNumber())
                    .forEach(e -> parts.add(e.getKey() + " " + count(e.getValue())));
            if (!parts.isEmpty()) {
                lines.add(new String[] {"Since start", String.join(", ", parts)});
            }
        }
        lines.add(new String[] {"Alarms", alarms(overview.path("alarms"))});
        lines.add(new String[] {"Disk free", bytes(overview.path("disk_free_bytes"))});
        int width = lines.stream().mapToInt(l -> l[0].length()).max().orElse(0) + 3;
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", line[0] + ":", line[1]));
        }
        return out.toString();
    }

    private static String listeners(JsonNode listeners) {
        if (!listeners.isArray() || listeners.isEmpty()) {
            return MISSING;
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode l : listeners) {
            String host = l.path("host").asText("?");
            parts.add(l.path("protocol").asText("?") + " " + (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + l.path("port").asText("?"));
        }
        return String.join(", ", parts);
    }

    private static String alarms(JsonNode alarms) {
        if (!alarms.isObject()) {
            return MISSING;
        }
        List<String> raised = new ArrayList<>();
        alarms.properties().forEach(e -> {
            if (e.getValue().asBoolean(false)) {
                raised.add(e.getKey());
            }
        });
        return raised.isEmpty() ? "none" : String.join(", ", raised) + " RAISED";
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? MISSING : n.asText();
    }

    private static String count(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%,d", n.asLong()) : MISSING;
    }

    private static String rate(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%,.1f/s", n.asDouble()) : MISSING;
    }

    /** {@code 3d 04h 05m}, {@code 2h 03m 12s}, {@code 5m 02s} or {@code 12s}. */
    static String uptime(JsonNode millis) {
        if (!millis.isNumber()) {
            return MISSING;
        }
        long s = millis.asLong() / 1000;
        long days = s / 86_400;
        long hours = s / 3600 % 24;
        long minutes = s / 60 % 60;
        long seconds = s % 60;
        if (days > 0) {
            return String.format(Locale.ROOT, "%dd %02dh %02dm", days, hours, minutes);
        }
        if (hours > 0) {
            return String.format(Locale.ROOT, "%dh %02dm %02ds", hours, minutes, seconds);
        }
        return minutes > 0 ? String.format(Locale.ROOT, "%dm %02ds", minutes, seconds) : seconds + "s";
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 12.3 GiB}. */
    static String bytes(JsonNode n) {
        if (!n.isNumber()) {
            return MISSING;
        }
        double v = n.asDouble();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? n.asLong() + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }
}
