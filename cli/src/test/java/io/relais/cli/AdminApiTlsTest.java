package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.HttpConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.client.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais status} against a broker whose HTTP listener speaks HTTPS ({@code http.tls}): the CA of
 * {@code --cacert} is trusted (and the host name checked), the JDK's authorities alone are not, and plain
 * http to it fails with a hint.
 */
class AdminApiTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        certs = TestCertificates.create(dir);
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(Files.createDirectories(dir.resolve("data")))
                .withTls(TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), null, false))
                .withHttp(HttpConfig.onPort(0).withTls(true)));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void shouldTrustTheCaOfCacertWhenTheApiSpeaksHttps() {
        String url = "https://localhost:" + broker.httpPort();
        InProcessCli trusted = InProcessCli.run("status", "--http", url, "--cacert", certs.ca().toString());
        assertThat(trusted.exitCode()).as(trusted.stderr()).isZero();
        assertThat(trusted.stdout()).contains("https 127.0.0.1:" + broker.httpPort());

        InProcessCli untrusted = InProcessCli.run("status", "--http", url);
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.stderr()).startsWith("relais: TLS with the HTTP admin API at " + url + " failed: ")
                .endsWith("(--cacert names the CA to trust)\n");

        InProcessCli plain = InProcessCli.run("status", "--http", "http://127.0.0.1:" + broker.httpPort());
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.stderr()).startsWith("relais: cannot talk to the HTTP admin API at http://127.0.0.1:")
                .endsWith("(if it uses TLS, give --http https://...)\n");
    }
}
