package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais bridge} and the bridge embedded in {@code relais broker}, as separate processes, against the
 * RabbitMQ on localhost (skipped when there is none, unless RELAIS_REQUIRE_RABBITMQ is set).
 */
class BridgeCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String run = "c" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + ".";
    private Connection rabbit;
    private Channel channel;

    @BeforeEach
    void connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri("amqp://guest:guest@localhost:5672");
        try {
            rabbit = f.newConnection("relais-cli-test");
        } catch (Exception e) {
            String why = "RabbitMQ is not reachable on localhost:5672 (" + e + ")";
            if (System.getenv("RELAIS_REQUIRE_RABBITMQ") != null) {
                fail(why + "; RELAIS_REQUIRE_RABBITMQ is set");
            }
            Assumptions.abort(why + "; skipping. See bridge/README.md for how to get one.");
        }
        channel = rabbit.createChannel();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (channel != null) {
            channel.queueDelete("relais-bridge.to-rabbitmq." + run + "orders.#");
            channel.queueDelete("relais-bridge.from-rabbitmq." + run + "alerts.#");
            rabbit.close();
        }
    }

    /** A RabbitMQ queue bound to amq.topic with {@code key}. */
    private String rabbitQueue(String key) throws Exception {
        String q = channel.queueDeclare().getQueue();
        channel.queueBind(q, "amq.topic", key);
        return q;
    }

    private String awaitRabbit(String queue) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            GetResponse r = channel.basicGet(queue, true);
            if (r != null) {
                return r.getEnvelope().getRoutingKey() + " " + new String(r.getBody(), StandardCharsets.UTF_8);
            }
            Thread.sleep(20);
        }
        return null;
    }

    @Test
    void shouldMirrorBothWaysWhenRunAsTheReadmeSays(@TempDir Path dataDir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            String server = "127.0.0.1:" + broker.port();
            try (CliProcess bridge = CliProcess.start("bridge", "--server", server, "--to-rabbitmq", run + "orders.#",
                    "--from-rabbitmq", run + "alerts.#")) {
                bridge.awaitStderr("bridge running");
                String orders = rabbitQueue(run + "orders.#");
                assertThat(CliProcess.run("pub", "--server", server, "--persistent", "--confirm", run + "orders.eu",
                        "x").exitCode()).isZero();
                assertThat(awaitRabbit(orders)).isEqualTo(run + "orders.eu x");

                try (CliProcess sub = CliProcess.start("sub", "--server", server, "--count", "1", run + "alerts.#")) {
                    sub.awaitStderr("subscribed");
                    channel.basicPublish("amq.topic", run + "alerts.cpu", null, "cpu high".getBytes(
                            StandardCharsets.UTF_8));
                    assertThat(sub.waitFor()).as(sub.stderr()).isZero();
                    assertThat(sub.stdout()).isEqualTo("cpu high\n");
                }
                bridge.terminate();
                bridge.waitFor();
            }
        }
    }

    @Test
    void shouldRunTheBridgeInsideTheBrokerWhenTheConfigHasABridgeSection(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("relais.yaml");
        Files.writeString(config, """
                bridge:
                  links:
                    - name: embedded
                      direction: to-rabbitmq
                      source: {exchange: "", pattern: "%semb.#"}
                      durable: false
                """.formatted(run));
        String out = rabbitQueue(run + "emb.#");
        try (CliProcess broker = CliProcess.start("broker", "--config", config.toString(), "--port", "0",
                "--data-dir", dir.resolve("data").toString())) {
            broker.awaitStderr("Relais broker listening on");
            Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)")
                    .matcher(broker.stderr());
            assertThat(m.find()).isTrue();
            Poll.until("the bridge link is up", WAIT, () -> broker.stderr().contains("bridge link embedded"),
                    broker::stderr);
            assertThat(CliProcess.run("pub", "--server", "127.0.0.1:" + m.group(1), "--confirm", run + "emb.x",
                    "inside").exitCode()).isZero();
            assertThat(awaitRabbit(out)).isEqualTo(run + "emb.x inside");
        }
    }
}
