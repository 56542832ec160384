package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke mode: every scenario, Relais only, for a fraction of a second each, so that the benchmarks never
 * rot; and some of them again with the clients in processes of their own. Says nothing about speed; checks
 * that each scenario runs, moves messages and reports.
 */
class ScenarioSmokeTest {
    private static final List<Long> TINY_RATES = List.of(200L, 400L);

    /**
     * The flat-out scenarios move millions of buffers through this JVM's clients; with the paranoid leak
     * detection of the test run, recording a stack trace for each starves the client's event loops, so that
     * the backlog probes and the closes wait behind minutes of it. This test is not a leak test; the
     * client's and broker's own tests are.
     */
    @BeforeAll
    static void simpleLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    private static BenchOptions options(List<String> scenarios, Path out, int clientProcs) {
        return options(scenarios, out, clientProcs, 0.7, 0.3);
    }

    private static BenchOptions options(List<String> scenarios, Path out, int clientProcs, double seconds,
                                        double warmup) {
        return new BenchOptions(scenarios, seconds, warmup, List.of(), BenchOptions.DEFAULT_AMQP,
                BenchOptions.DEFAULT_NATS, out, 20, clientProcs, TINY_RATES, "smoke test");
    }

    /**
     * Longer runs for a scenario that delivered or sent nothing in its fraction of a second: measurement and
     * warm-up seconds of each further attempt.
     */
    private static final double[][] RETRIES = {{2.0, 1.0}, {5.0, 3.0}};

    /**
     * The results, with every scenario that delivered or sent nothing in its fraction of a second run again
     * for longer ({@link #RETRIES}, each attempt only for those still idle): this test checks that the runner
     * works, not how fast. Each attempt starts a fresh broker and fresh client processes, and on a loaded
     * machine (2 cores shared with other builds) cold JVMs move messages in bursts: the flat-out producer's
     * first tenth of a second fills the socket buffers with tens of thousands of messages, which the cold
     * broker and consumers take seconds to work through while flow control and the full socket hold the
     * producer, so that a window of a second or two can fall entirely into such a pause (sent 0, received
     * only older messages, about a second late). Other stalls: a store sync behind the previous scenario's
     * deletes. A scenario that moves nothing fails all the attempts.
     */
    private static List<Result> retryIdle(List<Result> results, Path out, int clientProcs,
                                          ByteArrayOutputStream console) throws Exception {
        List<Result> merged = results;
        for (double[] attempt : RETRIES) {
            List<String> idle = merged.stream()
                    .filter(r -> r.error() == null && (r.receivedPerS() == 0 || r.sentPerS() == 0))
                    .map(Result::scenario).toList();
            if (idle.isEmpty()) {
                break;
            }
            List<Result> again = run(options(idle, out, clientProcs, attempt[0], attempt[1]), console);
            List<Result> next = new ArrayList<>();
            for (Result r : merged) {
                next.add(again.stream().filter(a -> a.scenario().equals(r.scenario())).findFirst().orElse(r));
            }
            merged = next;
        }
        return merged;
    }

    private static List<Result> run(BenchOptions options, ByteArrayOutputStream console) throws Exception {
        // Also to standard output, so that a run that hangs shows where.
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) {
                console.write(b);
                System.out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                console.write(b, off, len);
                System.out.write(b, off, len);
            }
        };
        return new BenchRunner(options, new PrintStream(both, true, StandardCharsets.UTF_8)).run();
    }

    private static void assertMovedMessages(List<Result> results, String printed) {
        for (Result r : results) {
            assertThat(r.error()).as("%s failed; output:%n%s", r.scenario(), printed).isNull();
            assertThat(r.sentPerS()).as(r.scenario() + " sent").isPositive();
            assertThat(r.receivedPerS()).as(r.scenario() + " received").isPositive();
            assertThat(r.p99Us()).as(r.scenario() + " latency measured").isGreaterThanOrEqualTo(0);
            if (r.scenario().equals("max-rate")) {
                assertThat(r.steps()).as("max-rate steps").isNotEmpty();
                assertThat(r.maxRatePerS()).isGreaterThanOrEqualTo(0);
            } else {
                assertThat(r.p50Us()).as(r.scenario() + " latency measured").isGreaterThanOrEqualTo(0);
                assertThat(r.steps()).isEmpty();
            }
        }
    }

    @Test
    void shouldRunEveryScenarioBrieflyAndWriteTheReport(@TempDir Path out) throws Exception {
        List<String> all = Arrays.stream(Scenario.values()).map(Scenario::id).toList();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<Result> results = run(options(all, out, 0), console);
        String json = Files.readString(out.resolve("results.json"));
        results = retryIdle(results, out, 0, console);

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(results).extracting(Result::scenario).containsExactlyElementsOf(all);
        assertMovedMessages(results, printed);
        Result latency = results.stream().filter(r -> r.scenario().equals("latency")).findFirst().orElseThrow();
        assertThat(latency.confirmP50Us()).as("confirm latency measured").isGreaterThanOrEqualTo(0);
        for (String id : all) {
            assertThat(json).contains("\"scenario\": \"" + id + "\"");
        }
        assertThat(json).contains("\"system\": \"relais\"", "\"sent_per_s\"", "\"p999_us\"", "\"machine\"",
                "\"steady\": ", "\"backlog_growth\": ", "\"max_rate_per_s\": ", "\"steps\": [{\"target_per_s\": 200");
        assertThat(Files.size(out.resolve("chart.png"))).isGreaterThan(1000);
        assertThat(printed).contains("SCENARIO", "transient", "connections", "max rate sustained", "BACKLOG");
    }

    @Test
    void shouldRunProducersAndConsumersInClientProcesses(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<Result> apart = retryIdle(run(options(List.of("transient", "fanout", "max-rate"), out, 2), console), out,
                2, console);
        List<Result> together = retryIdle(run(options(List.of("durable"), out, 1), console), out, 1, console);

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(apart).extracting(Result::scenario).containsExactly("transient", "fanout", "max-rate");
        assertMovedMessages(apart, printed);
        assertThat(together).extracting(Result::scenario).containsExactly("durable");
        assertMovedMessages(together, printed);
        assertThat(together.get(0).confirmP50Us()).as("confirms counted in the client process")
                .isGreaterThanOrEqualTo(0);
        assertThat(printed).contains("client processes for relais and nats: 2", "client processes for relais and nats: 1");
    }
}
