package io.relais.bench.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Presents a run: a table on standard output, {@code results.json} (one object per scenario and system) and
 * {@code chart.png} (throughput and latency percentiles, every system side by side). Stateless.
 */
final class Report {
    private Report() {
    }

    static void printTable(List<Result> results, PrintStream out) {
        out.printf(Locale.ROOT, "%-12s %-13s %12s %12s %9s %9s %9s %9s %9s %11s %-8s%n", "SCENARIO", "SYSTEM",
                "SENT/S", "RECEIVED/S", "P50 us", "P99 us", "P99.9 us", "CONF P50", "CONF P99", "BACKLOG +", "STATE");
        for (Result r : results) {
            if (r.error() != null) {
                out.printf(Locale.ROOT, "%-12s %-13s FAILED: %s%n", r.scenario(), r.system(), r.error());
                continue;
            }
            out.printf(Locale.ROOT, "%-12s %-13s %,12.0f %,12.0f %9s %9s %9s %9s %9s %,11d %-8s%n", r.scenario(),
                    r.system(), r.sentPerS(), r.receivedPerS(), us(r.p50Us()), us(r.p99Us()), us(r.p999Us()),
                    us(r.confirmP50Us()), us(r.confirmP99Us()), r.backlogGrowth(), r.steady() ? "steady" : "unsteady");
            if (r.maxRatePerS() >= 0) {
                out.printf(Locale.ROOT, "%-12s %-13s max rate sustained: %,d/s (steps:", "", r.system(),
                        r.maxRatePerS());
                for (RateStep step : r.steps()) {
                    out.printf(Locale.ROOT, " %,d%s", step.targetPerS(), step.sustained() ? " ok" : " failed");
                }
                out.println(")");
            }
        }
        Set<String> scenarios = new LinkedHashSet<>();
        results.forEach(r -> scenarios.add(r.scenario()));
        for (String s : scenarios) {
            Result relais = find(results, s, "relais");
            if (relais == null || relais.error() != null) {
                continue;
            }
            for (Result other : results) {
                if (!other.scenario().equals(s) || other == relais || other.error() != null
                        || other.receivedPerS() <= 0) {
                    continue;
                }
                out.printf(Locale.ROOT, "%-12s relais/%s received/s: %.2fx%s%s%n", s, other.system(),
                        relais.receivedPerS() / other.receivedPerS(), relais.p50Us() > 0 && other.p50Us() > 0
                                ? String.format(Locale.ROOT, ", p50 latency: %.2fx, p99: %.2fx",
                                (double) relais.p50Us() / other.p50Us(), (double) relais.p99Us() / other.p99Us())
                                : "", relais.steady() && other.steady() ? "" : " (not both steady: not a throughput)");
            }
        }
    }

    private static String us(long v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%,d", v);
    }

    private static Result find(List<Result> results, String scenario, String system) {
        for (Result r : results) {
            if (r.scenario().equals(scenario) && r.system().equals(system)) {
                return r;
            }
        }
        return null;
    }

    static void writeJson(List<Result> results, Machine machine, String command, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append("  {");
            field(sb, "scenario", r.scenario()).append(", ");
            field(sb, "system", r.system()).append(", ");
            sb.append(String.format(Locale.ROOT, "\"sent_per_s\": %.1f, \"received_per_s\": %.1f, ", r.sentPerS(),
                    r.receivedPerS()));
            sb.append(String.format(Locale.ROOT, "\"p50_us\": %d, \"p99_us\": %d, \"p999_us\": %d, "
                    + "\"confirm_p50_us\": %d, \"confirm_p99_us\": %d, ", r.p50Us(), r.p99Us(), r.p999Us(),
                    r.confirmP50Us(), r.confirmP99Us()));
            sb.append("\"steady\": ").append(r.steady()).append(", \"backlog_growth\": ").append(r.backlogGrowth())
                    .append(", ");
            if (r.maxRatePerS() >= 0) {
                sb.append("\"max_rate_per_s\": ").append(r.maxRatePerS()).append(", \"steps\": [");
                for (int k = 0; k < r.steps().size(); k++) {
                    RateStep st = r.steps().get(k);
                    sb.append(String.format(Locale.ROOT, "%s{\"target_per_s\": %d, \"sent_per_s\": %.1f, "
                            + "\"received_per_s\": %.1f, \"p99_us\": %d, \"backlog_growth\": %d, \"steady\": %b, "
                            + "\"sustained\": %b}", k == 0 ? "" : ", ", st.targetPerS(), st.sentPerS(),
                            st.receivedPerS(), st.p99Us(), st.backlogGrowth(), st.steady(), st.sustained()));
                }
                sb.append("], ");
            }
            field(sb, "error", r.error()).append(", ");
            field(sb, "date", Instant.now().toString()).append(", ");
            field(sb, "command", command).append(", ");
            sb.append("\"machine\": {");
            field(sb, "cpu", machine.cpu()).append(", ");
            sb.append("\"cores\": ").append(machine.cores()).append(", ");
            sb.append("\"memory_mib\": ").append(machine.memoryMiB()).append(", ");
            field(sb, "os", machine.os()).append(", ");
            field(sb, "java", machine.java()).append(", ");
            field(sb, "rabbitmq", machine.rabbitmq()).append(", ");
            field(sb, "nats", machine.nats());
            sb.append("}}").append(i + 1 < results.size() ? ",\n" : "\n");
        }
        sb.append("]\n");
        Files.writeString(file, sb);
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\": ");
        if (value == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    static void writeChart(List<Result> results, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> scenarios = new ArrayList<>(new LinkedHashSet<>(results.stream().map(Result::scenario).toList()));
        List<String> systems = new ArrayList<>(new LinkedHashSet<>(results.stream().map(Result::system).toList()));
        CategoryChart throughput = new CategoryChartBuilder().width(900).height(450).title(title)
                .xAxisTitle("scenario").yAxisTitle("deliveries per second").build();
        throughput.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (String system : systems) {
            List<Double> values = new ArrayList<>();
            for (String s : scenarios) {
                Result r = find(results, s, system);
                values.add(r == null ? 0.0 : r.receivedPerS());
            }
            throughput.addSeries(system, scenarios, values);
        }
        List<String> percentiles = new ArrayList<>();
        List<String> latencyScenarios = new ArrayList<>();
        for (String s : scenarios) {
            if (s.equals("latency")) {
                latencyScenarios.add(s);
            }
        }
        if (latencyScenarios.isEmpty()) {
            latencyScenarios.addAll(scenarios);
        }
        for (String s : latencyScenarios) {
            percentiles.add(s + " p50");
            percentiles.add(s + " p99");
            percentiles.add(s + " p99.9");
        }
        CategoryChart latency = new CategoryChartBuilder().width(900).height(450).title("end-to-end latency")
                .xAxisTitle("percentile").yAxisTitle("microseconds").build();
        latency.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String system : systems) {
            List<Double> values = new ArrayList<>();
            for (String s : latencyScenarios) {
                Result r = find(results, s, system);
                values.add(r == null ? 0.0 : Math.max(0, r.p50Us()));
                values.add(r == null ? 0.0 : Math.max(0, r.p99Us()));
                values.add(r == null ? 0.0 : Math.max(0, r.p999Us()));
            }
            latency.addSeries(system, percentiles, values);
        }
        String name = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        BitmapEncoder.saveBitmap(List.of(throughput, latency), 2, 1, name, BitmapEncoder.BitmapFormat.PNG);
    }
}
