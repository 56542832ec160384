package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.Broker;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.TlsOptions;
import io.relais.client.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands' connection options against a TLS-only broker: {@code relais pub --tls --cacert ca.pem}
 * end to end, a plaintext command refused, a client certificate (EXTERNAL), the password from
 * {@code RELAIS_PASSWORD}, defaults from a configuration file's {@code client:} section; and {@code relais
 * broker --tls-*} reloading its certificate on SIGHUP without dropping a connection.
 */
class CliTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static Broker broker;
    private static String server;

    @BeforeAll
    static void startBroker() throws IOException {
        certs = TestCertificates.create(dir);
        certs.client("carol", "carol");
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(Files.createDirectories(dir.resolve("data")))
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("guest", "guest", "carol", "carol-secret"), false))
                .withTls(TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), certs.ca(), true)));
        server = "127.0.0.1:" + broker.tlsPort();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static RelaisClient javaClient() {
        return RelaisClient.builder().port(broker.tlsPort()).tls(TlsOptions.trustPem(certs.ca())).connect();
    }

    @Test
    void shouldPublishOverTlsWithACaFileAndRefusePlaintext() {
        try (RelaisClient c = javaClient()) {
            c.declareQueue(QueueDeclaration.named("cli.tls")).join();
            c.bind("cli.tls", "", "cli.tls").join();
            CliProcess pub = CliProcess.run("pub", "--server", server, "--tls", "--cacert", certs.ca().toString(),
                    "--confirm", "cli.tls", "over tls");
            assertThat(pub.exitCode()).as(pub.stderr()).isZero();
            CliProcess plain = CliProcess.run("pub", "--server", server, "--confirm", "cli.tls", "in clear");
            assertThat(plain.exitCode()).isEqualTo(1);
            CliProcess sub = CliProcess.run("sub", "--server", server, "--cacert", certs.ca().toString(), "--queue",
                    "cli.tls", "--count", "1");
            assertThat(sub.exitCode()).as(sub.stderr()).isZero();
            assertThat(sub.stdout()).isEqualTo("over tls\n");
        }
    }

    @Test
    void shouldAuthenticateWithTheClientCertificateOrThePasswordFromTheEnvironment() {
        Path carol = dir.resolve("carol.pem");
        CliProcess external = CliProcess.run("queue", "declare", "--server", server, "--cacert", certs.ca().toString(),
                "--cert", carol.toString(), "--key", certs.keyOf(carol).toString(), "--user", "carol", "--password",
                "not-her-password", "cli.carol");
        assertThat(external.exitCode()).as(external.stderr()).isZero();
        CliProcess wrong = CliProcess.run(Map.of(ServerOption.PASSWORD_VARIABLE, "wrong"), "queue", "list", "--server",
                server, "--cacert", certs.ca().toString(), "--user", "carol");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.stderr()).contains("AUTHENTICATION_FAILED");
        CliProcess right = CliProcess.run(Map.of(ServerOption.PASSWORD_VARIABLE, "carol-secret"), "queue", "list",
                "--server", server, "--cacert", certs.ca().toString(), "--user", "carol");
        assertThat(right.exitCode()).as(right.stderr()).isZero();
        assertThat(right.stdout()).contains("cli.carol");
    }

    @Test
    void shouldTakeConnectionDefaultsFromTheClientSectionAndLetOptionsOverrideThem() throws IOException {
        Path config = Files.writeString(dir.resolve("client.yaml"), "client:\n"
                + "  server: " + server + "\n"
                + "  user: carol\n"
                + "  tls: true\n"
                + "  cacert: " + certs.ca() + "\n");
        Map<String, String> env = Map.of(ServerOption.PASSWORD_VARIABLE, "carol-secret");
        CliProcess fromFile = CliProcess.run(env, "exchange", "list", "--config", config.toString());
        assertThat(fromFile.exitCode()).as(fromFile.stderr()).isZero();
        assertThat(fromFile.stdout()).contains("(default)");
        CliProcess fromVariable = CliProcess.run(Map.of(ServerOption.PASSWORD_VARIABLE, "carol-secret",
                ClientDefaults.CONFIG_VARIABLE, config.toString()), "exchange", "list");
        assertThat(fromVariable.exitCode()).as(fromVariable.stderr()).isZero();
        // --user overrides the file's user (and guest's password is the default).
        CliProcess overridden = CliProcess.run("exchange", "list", "--config", config.toString(), "--user", "guest");
        assertThat(overridden.exitCode()).as(overridden.stderr()).isZero();
        Files.writeString(config, "client:\n  sever: x\n");
        CliProcess bad = CliProcess.run("exchange", "list", "--config", config.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("unknown key 'client.sever'");
    }

    @Test
    void shouldReloadTheCertificateOnSighupWithoutDroppingAConnection() throws Exception {
        Path live = Files.createDirectories(dir.resolve("sighup"));
        Files.copy(certs.serverCertificate(), live.resolve("server.pem"));
        Files.copy(certs.serverKey(), live.resolve("server.key"));
        Path renewed = certs.server("sighup-renewed", "renewed.localhost");
        try (BrokerProcess b = BrokerProcess.start(Files.createDirectories(dir.resolve("sighup-data")),
                List.of("--tls-port", "0", "--tls-cert", live.resolve("server.pem").toString(), "--tls-key",
                        live.resolve("server.key").toString()))) {
            Matcher m = Pattern.compile("and \\S+:(\\d+) \\(TLS\\)").matcher(b.output());
            assertThat(m.find()).as(b.output()).isTrue();
            int tlsPort = Integer.parseInt(m.group(1));
            try (RelaisClient open = RelaisClient.builder().port(tlsPort).tls(TlsOptions.trustPem(certs.ca())).connect()) {
                Files.copy(renewed, live.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(certs.keyOf(renewed), live.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(b.pid())).start();
                assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!b.output().contains("TLS certificates reloaded") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(b.output()).contains("TLS certificates reloaded");
                String subject = certs.openssl("s_client", "-connect", "127.0.0.1:" + tlsPort, "-CAfile",
                        certs.ca().toString(), "-verify_return_error", "-brief");
                assertThat(subject).contains("CN = renewed.localhost");
                assertThat(open.listQueues().join()).isNotNull();
                assertThat(b.isAlive()).isTrue();
            }
        }
    }
}
