package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.protocol.frame.QueueInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball ({@code target/relais-VERSION.tar.gz}, built by {@code ./mvnw package}) as an operator
 * uses it: it lists the expected files, and unpacked into a fresh directory, {@code bin/relais broker} started
 * through a symbolic link from another fresh directory (no Maven, no source tree) listens, keeps its data in
 * that working directory, stores a durable message (Chronicle Queue, which needs the launcher's JVM flags),
 * answers {@code bin/relais status} over its HTTP listener, and stops cleanly on SIGTERM. Run by failsafe after {@code package}; the system property
 * {@code relais.tarball} names the tarball.
 */
class ReleaseTarballIT {
    private static final Pattern LISTENING = Pattern.compile("Relais broker listening on ([^\\s,]+):(\\d+)");
    private static final Pattern HTTP = Pattern.compile(", HTTP on ([^\\s,]+):(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static Path tarball;
    private static String version;
    private static String top;

    @BeforeAll
    static void findTarball() {
        tarball = Path.of(System.getProperty("relais.tarball", "target/relais-missing.tar.gz"));
        version = System.getProperty("relais.version", "unknown");
        top = "relais-" + version + "/";
        assertThat(tarball).as("the tarball ./mvnw package builds").isRegularFile();
    }

    @Test
    void shouldHoldTheLauncherJarConfigurationUnitLicenceAndReadmeWhenListed() {
        List<String> listing = run(List.of("tar", "tzvf", tarball.toString()), null).lines().toList();
        List<String> names = listing.stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
        assertThat(names).contains(top + "bin/relais", top + "lib/relais.jar", top + "lib/jvm.options",
                top + "config/relais.yaml", top + "share/systemd/relais.service", top + "LICENSE", top + "README.md");
        assertThat(names).as("everything under one top directory").allMatch(n -> n.startsWith(top));
        String launcher = listing.stream().filter(l -> l.endsWith(" " + top + "bin/relais")).findFirst().orElseThrow();
        assertThat(launcher).as("bin/relais is executable").startsWith("-rwxr-xr-x");
    }

    @Test
    void shouldStartABrokerFromAFreshDirectoryAndStopOnSigtermWhenUnpacked(@TempDir Path temp) throws Exception {
        Path install = Files.createDirectories(temp.resolve("opt"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", install.toString()), null);
        Path home = install.resolve(top);
        assertThat(Files.readString(home.resolve("lib/jvm.options"))).contains("-Dchronicle.analytics.disable=true")
                .doesNotContain("${");
        assertThat(Files.readString(home.resolve("README.md"))).contains("# Relais " + version).doesNotContain("@project.version@");
        assertThat(Files.readString(home.resolve("config/relais.yaml")))
                .isEqualTo(Files.readString(Path.of("..", "config", "relais.yaml")));
        assertThat(Files.readString(home.resolve("share/systemd/relais.service")))
                .contains("User=relais", "ExecStart=/opt/relais/bin/relais broker", "LimitNOFILE=", "Restart=on-failure");

        Path links = Files.createDirectories(temp.resolve("usr-local-bin"));
        Path launcher = Files.createSymbolicLink(links.resolve("relais"), home.resolve("bin/relais"));
        Path work = Files.createDirectories(temp.resolve("work"));

        try (JarFile jar = new JarFile(home.resolve("lib/relais.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version")).isEqualTo(version);
        }
        assertThat(run(List.of(launcher.toString(), "--version"), work).strip()).isEqualTo("relais " + version);

        Process broker = start(List.of(launcher.toString(), "broker", "--port", "0"), work);
        StringBuilder output = new StringBuilder();
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread pump = pump(broker, output, listening);
        try {
            String line = listening.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Matcher relais = LISTENING.matcher(line);
            Matcher http = HTTP.matcher(line);
            assertThat(relais.find() && http.find()).as("both listeners in: %s", line).isTrue();
            int brokerPort = Integer.parseInt(relais.group(2));
            String httpUrl = "http://127.0.0.1:" + http.group(2);
            assertThat(brokerPort).isNotIn(7420, 7421);
            assertThat(Integer.parseInt(http.group(2))).as("--port 0 makes the HTTP port ephemeral too")
                    .isNotIn(7420, 7421);
            String commandLine = broker.toHandle().info().commandLine().orElse("");
            // The JVM expands the argument file (checked above to hold the Chronicle flags) itself.
            assertThat(commandLine).as("the launcher execs java with its JVM flags and relais.home")
                    .contains("@" + home.toRealPath().resolve("lib/jvm.options"), "-Drelais.home=" + home.toRealPath(),
                            "-jar " + home.toRealPath().resolve("lib/relais.jar"));
            try (RelaisClient client = RelaisClient.builder().server("127.0.0.1:" + brokerPort).username("guest")
                    .password("guest").reconnect(ReconnectPolicy.disabled()).connect()) {
                client.declareQueue(QueueDeclaration.named("tarball.q").durable(true)).get(30, TimeUnit.SECONDS);
                client.bind("tarball.q", "", "tarball.q").get(30, TimeUnit.SECONDS);
                client.publishConfirmed(Message.builder("tarball.q").payload("from the tarball").persistent(true)
                        .build()).get(30, TimeUnit.SECONDS);
                List<QueueInfo> queues = client.listQueues().get(30, TimeUnit.SECONDS);
                assertThat(queues).filteredOn(q -> q.name().equals("tarball.q")).singleElement()
                        .satisfies(q -> assertThat(q.messages()).isEqualTo(1));
            }
            String status = run(List.of(launcher.toString(), "status", "--http", httpUrl), work);
            assertThat(status).contains("Relais " + version, "1 queues", "relais 127.0.0.1:" + brokerPort);
            assertThat(work.resolve("data")).as("data-dir: data is relative to the working directory").isDirectory();
            assertThat(work.resolve("data/users.db")).isRegularFile();
            assertThat(home.resolve("data")).doesNotExist();
        } finally {
            broker.destroy(); // SIGTERM
            boolean exited = broker.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!exited) {
                broker.destroyForcibly();
            }
            pump.join(TIMEOUT.toMillis());
            assertThat(exited).as("exited after SIGTERM; output:\n%s", output).isTrue();
        }
        assertThat(broker.exitValue()).as("a clean stop (143: SIGTERM); output:\n%s", output).isIn(0, 143);
        assertThat(output.toString()).doesNotContain("Exception", "ERROR");
    }

    private static Process start(List<String> command, Path directory) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove(ClientDefaults.CONFIG_VARIABLE);
        env.remove("RELAIS_JAVA_OPTS");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    private static Thread pump(Process process, StringBuilder output, CompletableFuture<String> listening) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (LISTENING.matcher(line).find()) {
                        listening.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            } finally {
                listening.completeExceptionally(new IllegalStateException("broker exited before listening:\n" + output));
            }
        }, "tarball-broker-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Runs a command to completion; returns its output (standard output and error), failing on a nonzero exit. */
    private static String run(List<String> command, Path directory) {
        try {
            Process p = start(new ArrayList<>(command), directory == null ? Path.of(".") : directory);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("%s finished", command).isTrue();
            assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
            return out;
        } catch (IOException e) {
            throw new AssertionError(command + " could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
