package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relais CLI as users run it, as separate processes, against a real broker. */
class CliEndToEndTest {
    private static Broker broker;
    private static String server;

    @BeforeAll
    static void startBroker(@TempDir Path dataDir) {
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir));
        server = "127.0.0.1:" + broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Runs {@code relais ARGS... --server <the test broker>}. */
    private static CliProcess relais(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--server";
        all[args.length + 1] = server;
        return CliProcess.run(all);
    }

    @Test
    void shouldPrintExactlyTheMatchingPayloadsWhenSubscribedWithStar() {
        assertThat(relais("exchange", "declare", "--type", "topic", "T").exitCode()).isZero();
        try (CliProcess star = CliProcess.start("sub", "--server", server, "--exchange", "T", "--count", "3", "a.*.c");
             CliProcess hash = CliProcess.start("sub", "--server", server, "--exchange", "T", "--count", "1", "a.#")) {
            star.awaitStderr("subscribed");
            hash.awaitStderr("subscribed");
            CliProcess pub = CliProcess.start("pub", "--server", server, "--exchange", "T", "a.b.d", "a.b.d");
            assertThat(pub.waitFor()).isZero();
            for (String key : new String[] {"a.b.c.d", "a.b.c", "a.x.c", "a.y.c"}) {
                assertThat(relais("pub", "--exchange", "T", key, "payload of " + key).exitCode()).isZero();
            }
            assertThat(star.waitFor()).isZero();
            assertThat(star.stdout()).isEqualTo("payload of a.b.c\npayload of a.x.c\npayload of a.y.c\n");
            assertThat(hash.waitFor()).isZero();
            assertThat(hash.stdout()).isEqualTo("a.b.d\n");
        }
        try (CliProcess hash = CliProcess.start("sub", "--server", server, "--exchange", "T", "--count", "1", "a.#")) {
            hash.awaitStderr("subscribed");
            assertThat(relais("pub", "--exchange", "T", "a.b.c.d", "deep").exitCode()).isZero();
            assertThat(hash.waitFor()).isZero();
            assertThat(hash.stdout()).isEqualTo("deep\n");
        }
    }

    @Test
    void shouldPublishEachStdinLineWhenMessageIsAbsent() {
        try (CliProcess sub = CliProcess.start("sub", "--server", server, "--count", "3", "lines.*")) {
            sub.awaitStderr("subscribed");
            CliProcess pub = CliProcess.start("pub", "--server", server, "lines.x");
            pub.writeStdin("one\ntwo\nthree\n");
            assertThat(pub.waitFor()).isZero();
            assertThat(pub.stderr()).contains("published 3 messages");
            assertThat(sub.waitFor()).isZero();
            assertThat(sub.stdout()).isEqualTo("one\ntwo\nthree\n");
        }
    }

    @Test
    void shouldReportWhichLinesFailedSoThatTheyCanBeSentAgain(@TempDir Path dir) throws IOException {
        CliProcess declare = relais("queue", "declare", "--bind", "capped.#", "--arg", "max-length=3",
                "--arg", "overflow=reject-publish", "capped");
        assertThat(declare.exitCode()).as(declare.stderr()).isZero();
        Path report = dir.resolve("failed.txt");
        CliProcess pub = CliProcess.start("pub", "--server", server, "--report", report.toString(), "capped.x");
        pub.writeStdin("one\ntwo\nthree\nfour\nfive\n");
        assertThat(pub.waitFor()).isEqualTo(1);
        assertThat(pub.stderr()).contains("relais: 2 of 5 messages failed, 3 confirmed; the failed line numbers are in "
                + report);
        // One line per distinct reason, with its count, not one line per message.
        assertThat(pub.stderr().lines().filter(l -> l.contains("QUEUE_FULL"))).hasSize(1)
                .allMatch(l -> l.startsWith("relais: 2 messages: "));
        assertThat(Files.readAllLines(report)).containsExactly("4", "5");
        assertThat(relais("queue", "delete", "capped").exitCode()).isZero();
    }

    @Test
    void shouldKeepMessagesInAQueueUntilConsumedWhenDeclaredWithBindings() {
        CliProcess declare = relais("queue", "declare", "--bind", "orders.*", "--bind", ":refunds.#",
                "--arg", "max-length=100", "orders");
        assertThat(declare.exitCode()).as(declare.stderr()).isZero();
        assertThat(relais("pub", "--confirm", "orders.new", "order 1").exitCode()).isZero();
        assertThat(relais("pub", "--confirm", "refunds.eu.x", "refund 1").exitCode()).isZero();
        CliProcess list = relais("queue", "list");
        assertThat(list.stdout()).containsPattern("orders\\s+2\\s+0\\s+0");
        CliProcess sub = relais("sub", "--queue", "orders", "--count", "2");
        assertThat(sub.exitCode()).isZero();
        assertThat(sub.stdout()).isEqualTo("order 1\nrefund 1\n");
        assertThat(relais("queue", "list").stdout()).containsPattern("orders\\s+0\\s+0\\s+0");
        assertThat(relais("queue", "purge", "orders").exitCode()).isZero();
        assertThat(relais("queue", "delete", "orders").exitCode()).isZero();
        assertThat(relais("exchange", "list").stdout()).contains("(default)");
    }

    @Test
    void shouldExitNonZeroWithAClearMessageWhenSomethingIsWrong() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        CliProcess unreachable = CliProcess.run("pub", "--server", "127.0.0.1:" + freePort, "k", "v");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.stderr()).contains("cannot connect").contains(String.valueOf(freePort));

        CliProcess unknownExchange = relais("pub", "--exchange", "nope", "k", "v");
        assertThat(unknownExchange.exitCode()).isEqualTo(1);
        assertThat(unknownExchange.stderr()).contains("no exchange 'nope'");

        CliProcess badPattern = relais("sub", "a*.b");
        assertThat(badPattern.exitCode()).isEqualTo(1);
        assertThat(badPattern.stderr()).contains("bad pattern");

        CliProcess unroutable = relais("pub", "--mandatory", "nobody.listens", "v");
        assertThat(unroutable.exitCode()).isEqualTo(1);
        assertThat(unroutable.stderr()).contains("NO_ROUTE").contains("no queue is bound");

        CliProcess nobody = relais("request", "--timeout", "1s", "nobody", "hi");
        assertThat(nobody.exitCode()).isEqualTo(1);
        assertThat(nobody.stderr())
                .contains("relais: no service is listening on 'nobody' (no queue bound for that routing key)");

        CliProcess usage = relais("sub");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).contains("PATTERN");
    }

    @Test
    void shouldPrintTheReplyWhenAnotherRelaisAnswersWithEcho() {
        try (CliProcess echo = CliProcess.start("reply", "--server", server, "--echo", "svc")) {
            echo.awaitStderr("answering requests on 'svc'");
            CliProcess request = relais("request", "svc", "hi");
            assertThat(request.exitCode()).as(request.stderr()).isZero();
            assertThat(request.stdout()).isEqualTo("hi\n");
        }
    }

    @Test
    void shouldAnswerWithTheCommandsOutputAndTimeOutWhenTheCommandFails() {
        String command = "read -r x; test \"$x\" != fail && echo \"got $x\"";
        try (CliProcess exec = CliProcess.start("reply", "--server", server, "--exec", command, "calc.*")) {
            exec.awaitStderr("answering requests on 'calc.*'");
            CliProcess ok = relais("request", "calc.add", "hello");
            assertThat(ok.exitCode()).as(ok.stderr()).isZero();
            assertThat(ok.stdout()).isEqualTo("got hello\n");

            CliProcess failed = relais("request", "--timeout", "1s", "calc.add", "fail");
            assertThat(failed.exitCode()).isEqualTo(1);
            assertThat(failed.stdout()).isEmpty();
            assertThat(failed.stderr()).contains("relais: no reply to 'calc.add' within 1000 ms");
            exec.awaitStderr("exited with status 1");
            assertThat(exec.stderr()).contains("relais: warning: request").contains("rejected");
        }
    }

    @Test
    void shouldRefuseToStartWhenConfigHasABadKey(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "server:\n  port: lots\n");
        CliProcess broker = CliProcess.run("broker", "--config", config.toString(), "--data-dir",
                dir.resolve("data").toString());
        assertThat(broker.exitCode()).isEqualTo(1);
        assertThat(broker.stderr()).contains("server.port");
    }

    @Test
    void shouldShutDownCleanlyWhenTerminated(@TempDir Path dir) {
        try (CliProcess broker = CliProcess.start("broker", "--port", "0", "--data-dir", dir.toString())) {
            broker.awaitStderr("Relais broker listening on");
            Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(broker.stderr());
            assertThat(m.find()).isTrue();
            String own = "127.0.0.1:" + m.group(1);
            try (CliProcess sub = CliProcess.start("sub", "--server", own, "x.#")) {
                sub.awaitStderr("subscribed");
                broker.terminate();
                // A subscriber outlives a broker restart: it says why it lost the connection and keeps trying.
                sub.awaitStderr("reconnecting");
                assertThat(sub.stderr()).contains("server shutting down");
                broker.waitFor();
                assertThat(broker.stderr()).contains("shutting down").contains("stopped");
                sub.terminate();
            }
        }
    }
}
