package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RabbitMQ (PerfTest) and NATS drivers against the services on localhost, one short transient and one
 * short durable run each; skipped, with a message, where a service is not running. Asserts nothing about
 * speed: that the run worked, moved messages and reported its backlog.
 */
class PeerSystemsTest {
    @BeforeAll
    static void simpleLeakDetection() {
        // As in ScenarioSmokeTest: not a leak test, and the Relais rows flood this JVM's clients.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Result> run(String system, Path out) throws Exception {
        BenchOptions options = new BenchOptions(List.of("transient", "durable"), 1.0, 1.0, List.of(system),
                BenchOptions.DEFAULT_AMQP, BenchOptions.DEFAULT_NATS, out, 10, 0, List.of(1000L), "peer test");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<Result> results = new BenchRunner(options, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run();
        String printed = console.toString(StandardCharsets.UTF_8);
        List<Result> peer = results.stream().filter(r -> !r.system().equals("relais")).toList();
        assertThat(peer).extracting(Result::scenario).containsExactly("transient", "durable");
        for (Result r : peer) {
            assertThat(r.error()).as("%s on %s failed; output:%n%s", r.scenario(), system, printed).isNull();
            assertThat(r.receivedPerS()).as(r.scenario() + " received").isPositive();
            assertThat(r.p50Us()).as(r.scenario() + " latency").isGreaterThanOrEqualTo(0);
        }
        assertThat(peer.get(1).confirmP50Us()).as("durable confirm latency").isGreaterThanOrEqualTo(0);
        return peer;
    }

    @Test
    void shouldRunOnRabbitmqThroughPerfTest(@TempDir Path out) throws Exception {
        assumeTrue(listening(5672), "no RabbitMQ on localhost:5672; bench/README.md says how to get one");
        assertThat(run("rabbitmq", out)).allMatch(r -> r.system().equals(PerfTestDriver.SYSTEM));
    }

    @Test
    void shouldRunOnNatsWithCoreAndJetStream(@TempDir Path out) throws Exception {
        assumeTrue(listening(4222), "no NATS on localhost:4222; bench/README.md says how to get one");
        assertThat(run("nats", out)).allMatch(r -> r.system().equals("nats"));
    }

    @Test
    void shouldWriteEveryFanoutPatternAsANatsPatternMatchingTheKey() {
        for (String p : Scenario.FANOUT_PATTERNS) {
            String nats = NatsSystem.natsPattern(p);
            assertThat(nats).as(p).doesNotContain("#");
            assertThat(matches(nats.split("\\."), Scenario.FANOUT_KEY.split("\\."))).as(p + " -> " + nats)
                    .isTrue();
        }
    }

    private static boolean matches(String[] pattern, String[] subject) {
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].equals(">")) {
                return subject.length > i;
            }
            if (i >= subject.length || !(pattern[i].equals("*") || pattern[i].equals(subject[i]))) {
                return false;
            }
        }
        return pattern.length == subject.length;
    }
}
