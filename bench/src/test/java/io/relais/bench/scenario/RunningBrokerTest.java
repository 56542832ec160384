package io.relais.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.metrics.LoopCounter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais bench --relais HOST:PORT}: the scenarios run on a broker that is already running, which the
 * bench neither starts nor stops, and the broker's metrics show what they did.
 */
class RunningBrokerTest {
    /** As in {@link ScenarioSmokeTest}: not a leak test, and paranoid detection starves a flat-out run. */
    @BeforeAll
    static void simpleLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @Test
    void shouldRunOnTheGivenBrokerAndLeaveItRunning(@TempDir Path data, @TempDir Path out) throws Exception {
        try (Broker broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(data))) {
            String server = "127.0.0.1:" + broker.port();
            BenchOptions options = new BenchOptions(List.of("durable"), 1.0, 0.3, List.of(), BenchOptions.DEFAULT_AMQP,
                    BenchOptions.DEFAULT_NATS, out, 20, 0, List.of(200L), "test", server);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            List<Result> results = new BenchRunner(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();
            String printed = console.toString(StandardCharsets.UTF_8);

            assertThat(printed).contains("relais broker at " + server + " (already running");
            assertThat(results).hasSize(1);
            assertThat(results.get(0).error()).as(printed).isNull();
            assertThat(results.get(0).sentPerS()).isPositive();
            assertThat(broker.metrics().count(LoopCounter.PUBLISHED)).isPositive();
            assertThat(broker.metrics().count(LoopCounter.CONFIRMED)).isPositive();
            assertThat(broker.metrics().count(LoopCounter.DELIVERED)).isPositive();
            assertThat(broker.metrics().count(LoopCounter.CONNECTIONS_OPENED)).isPositive();
            // Still running: its listener answers.
            try (Socket s = new Socket("127.0.0.1", broker.port())) {
                assertThat(s.isConnected()).isTrue();
            }
        }
    }
}
