package io.relais.bridge;

import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real RabbitMQ the bridge tests use (amqp://guest:guest@localhost:5672, which every development and CI
 * machine of this project runs). When it cannot be reached the tests are skipped with a message saying so,
 * unless {@code RELAIS_REQUIRE_RABBITMQ} is set (as {@code .ci/run} does), in which case they fail.
 * Stateless.
 */
final class RabbitMq {
    static final String URI = System.getProperty("relais.amqp", BridgeConfig.DEFAULT_AMQP);

    private RabbitMq() {
    }

    /** A new connection, or the test is skipped (or failed, on CI) when RabbitMQ is not there. */
    static Connection connect() {
        ConnectionFactory f = factory();
        try {
            return f.newConnection("relais-bridge-test");
        } catch (Exception e) {
            String why = "RabbitMQ is not reachable at " + URI + " (" + e + "). Start one with "
                    + "`rabbitmq-server -detached` or `docker run -d -p 5672:5672 rabbitmq:3`.";
            if (System.getenv("RELAIS_REQUIRE_RABBITMQ") != null) {
                fail(why + " RELAIS_REQUIRE_RABBITMQ is set, so this fails instead of skipping.");
            }
            Assumptions.abort(why + " Skipping the bridge tests.");
            return null;
        }
    }

    static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(URI);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        f.setAutomaticRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(200);
        return f;
    }

    /** Runs {@code rabbitmqctl ARGS} and waits for it (at most 120 s). */
    static void ctl(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "rabbitmqctl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
