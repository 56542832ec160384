package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke mode: every scenario, Relais only, for a fraction of a second each, so that the benchmarks never
 * rot. Says nothing about speed; checks that each scenario runs, moves messages and reports.
 */
class ScenarioSmokeTest {
    @Test
    void shouldRunEveryScenarioBrieflyAndWriteTheReport(@TempDir Path out) throws Exception {
        List<String> all = Arrays.stream(Scenario.values()).map(Scenario::id).toList();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        BenchOptions options = new BenchOptions(all, 0.7, 0.3, false, BenchOptions.DEFAULT_AMQP, out, 20,
                "smoke test");
        List<Result> results = new BenchRunner(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(results).extracting(Result::scenario).containsExactlyElementsOf(all);
        for (Result r : results) {
            assertThat(r.error()).as("%s failed; output:%n%s", r.scenario(), printed).isNull();
            assertThat(r.sentPerS()).as(r.scenario() + " sent").isPositive();
            assertThat(r.receivedPerS()).as(r.scenario() + " received").isPositive();
            assertThat(r.p50Us()).as(r.scenario() + " latency measured").isGreaterThanOrEqualTo(0);
        }
        Result latency = results.stream().filter(r -> r.scenario().equals("latency")).findFirst().orElseThrow();
        assertThat(latency.confirmP50Us()).as("confirm latency measured").isGreaterThanOrEqualTo(0);
        String json = Files.readString(out.resolve("results.json"));
        for (String id : all) {
            assertThat(json).contains("\"scenario\": \"" + id + "\"");
        }
        assertThat(json).contains("\"system\": \"relais\"", "\"sent_per_s\"", "\"p999_us\"", "\"machine\"");
        assertThat(Files.size(out.resolve("chart.png"))).isGreaterThan(1000);
        assertThat(printed).contains("SCENARIO", "transient", "connections");
    }
}
