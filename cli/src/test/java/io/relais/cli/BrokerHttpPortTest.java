package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relais broker's HTTP listener: on by default (ephemeral with --port 0), off with --http-port 0. */
class BrokerHttpPortTest {
    private static final Pattern HTTP = Pattern.compile("HTTP on (\\S+):(\\d+)");

    @Test
    void shouldServeHealthChecksOnTheHttpPortItPrints(@TempDir Path dir) throws Exception {
        try (CliProcess broker = CliProcess.start("broker", "--port", "0", "--data-dir", dir.toString())) {
            broker.awaitStderr("Relais broker listening on");
            Matcher m = HTTP.matcher(broker.stderr());
            assertThat(m.find()).as(broker.stderr()).isTrue();
            int port = Integer.parseInt(m.group(2));
            assertThat(port).isNotEqualTo(7421);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"ready\"");
        }
    }

    @Test
    void shouldOpenNoHttpListenerWithHttpPortZero(@TempDir Path dir) {
        try (CliProcess broker = CliProcess.start("broker", "--port", "0", "--http-port", "0", "--data-dir",
                dir.toString())) {
            broker.awaitStderr("Relais broker listening on");
            assertThat(broker.stderr()).doesNotContain("HTTP on");
        }
    }

    @Test
    void shouldRefuseAnHttpPortOutOfRange(@TempDir Path dir) {
        CliProcess broker = CliProcess.run("broker", "--port", "0", "--http-port", "70000", "--data-dir",
                dir.toString());
        assertThat(broker.exitCode()).isEqualTo(1);
        assertThat(broker.stderr()).contains("--http-port must be between 0 and 65535");
    }
}
