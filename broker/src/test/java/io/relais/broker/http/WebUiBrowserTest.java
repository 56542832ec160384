package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.relais.broker.BrokerFixture;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The web UI in a real browser: a broker with its HTTP listener on an ephemeral port, and the Node script
 * {@code src/test/ui/webui-e2e.mjs} driving headless Chromium through playwright-core. The script logs in
 * as an administrator, watches a queue appear when this test publishes to it over the Relais protocol,
 * peeks, publishes, purges, adds a user, logs out, then logs in as a user who is no administrator and sees
 * the purge refused in the error banner. It writes screenshots to {@code target/webui-screenshots/}.
 *
 * <p>Skipped (with a message saying what to install) when Chromium, Node or playwright-core is missing,
 * unless {@code RELAIS_REQUIRE_BROWSER} is set (as {@code .ci/run} sets it), in which case it fails.
 */
class WebUiBrowserTest {
    private static final String ADMIN = "guest";
    private static final String ADMIN_PASSWORD = "guest";
    private static final String USER = "bob";
    private static final String USER_PASSWORD = "bob-secret";
    private static final long SCRIPT_TIMEOUT_S = 90;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLogInWatchAQueuePurgeItAndShowARefusalInChromium() throws Exception {
        BrowserTools tools = BrowserTools.require();
        Path shots = Path.of(System.getProperty("basedir", "."), "target", "webui-screenshots");
        try (BrokerFixture fixture = new BrokerFixture()) {
            RelaisClient admin = fixture.client(b -> b.clientName("webui-test"));
            admin.users().add(USER, USER_PASSWORD, Set.of()).get(10, TimeUnit.SECONDS);
            // bob has a permission entry in "/" (so he sees its queues) but may read only queues named bob.*
            admin.permissions().set(USER, "/", "^bob\\.", "^bob\\.", "^bob\\.").get(10, TimeUnit.SECONDS);
            ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
            try {
                startTraffic(fixture, traffic);
                String base = "http://127.0.0.1:" + fixture.broker().httpPort() + "/";
                String output = run(tools, admin, List.of(base, shots.toString(), ADMIN + ":" + ADMIN_PASSWORD,
                        USER + ":" + USER_PASSWORD));
                System.out.print(output); // into the surefire report's -output.txt
                assertThat(output).contains("0 failed");
            } finally {
                traffic.shutdownNow();
                traffic.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Traffic for the overview's charts and the queue list: a topic exchange {@code orders} publishing a
     * varying 100 to 250 messages a second to {@code orders.eu}, which a consumer drains and acks, and 20 a
     * second to {@code orders.us}, which nobody consumes, so its depth grows.
     */
    private static void startTraffic(BrokerFixture fixture, ScheduledExecutorService traffic) throws Exception {
        RelaisClient c = fixture.client(b -> b.clientName("orders-traffic"));
        c.declareExchange("orders", ExchangeType.TOPIC, true, false).get(10, TimeUnit.SECONDS);
        for (String region : List.of("eu", "us")) {
            c.declareQueue(QueueDeclaration.named("orders." + region).durable(true)).get(10, TimeUnit.SECONDS);
            c.bind("orders." + region, "orders", "orders." + region + ".#").get(10, TimeUnit.SECONDS);
        }
        c.subscribeQueue("orders.eu", SubscribeOptions.defaults().manualAck(true).prefetch(100), d -> d.ack())
                .get(10, TimeUnit.SECONDS);
        byte[] payload = "{\"order\": 1}".getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        traffic.scheduleAtFixedRate(() -> {
            double seconds = (System.nanoTime() - start) / 1e9;
            int eu = (int) Math.round(17 + 8 * Math.sin(seconds / 4));
            for (int i = 0; i < eu; i++) {
                c.publishAndForget(Message.builder("orders.eu.shop").exchange("orders").payload(payload).build());
            }
            for (int i = 0; i < 2; i++) {
                c.publishAndForget(Message.builder("orders.us.shop").exchange("orders").payload(payload).build());
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the script, answering its "@@ publish QUEUE N" requests, and returns its output; fails with the
     * output when it exits non-zero or runs out of time.
     */
    private static String run(BrowserTools tools, RelaisClient admin, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tools.node(), tools.script().toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(tools.dir().toFile()).redirectErrorStream(true);
        pb.environment().put("RELAIS_CHROMIUM", tools.chromium().toString());
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> answer(p, admin, output), "webui-script-output");
        reader.setDaemon(true);
        reader.start();
        boolean ended = p.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        reader.join(5000);
        String out;
        synchronized (output) {
            out = output.toString();
        }
        if (!ended) {
            fail("the browser script did not finish within " + SCRIPT_TIMEOUT_S + " s; its output:\n" + out);
        }
        if (p.exitValue() != 0) {
            fail("the browser script failed (exit " + p.exitValue() + "); its output:\n" + out);
        }
        return out;
    }

    /** On the reader thread: copies the script's output and answers its requests on its stdin. */
    private static void answer(Process p, RelaisClient admin, StringBuilder output) {
        int published = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer toScript = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                if (!line.startsWith("@@ ")) {
                    continue;
                }
                String reply;
                try {
                    published = perform(admin, line.substring(3).trim().split(" "), published);
                    reply = "ok";
                } catch (Exception e) {
                    reply = "error " + e;
                }
                toScript.write(reply + "\n");
                toScript.flush();
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("(reading the script's output failed: ").append(e).append(")\n");
            }
        }
    }

    /**
     * "publish QUEUE N": declares the durable queue, binds it to the default exchange with its name (the
     * default exchange has no implicit bindings) and publishes N confirmed messages "order K" to it.
     */
    private static int perform(RelaisClient admin, String[] request, int published) throws Exception {
        if (request.length != 3 || !request[0].equals("publish")) {
            throw new IllegalArgumentException("unknown request " + String.join(" ", request));
        }
        String queue = request[1];
        int n = Integer.parseInt(request[2]);
        admin.declareQueue(QueueDeclaration.named(queue).durable(true)).get(10, TimeUnit.SECONDS);
        admin.bind(queue, "", queue).get(10, TimeUnit.SECONDS);
        int k = published;
        for (int i = 0; i < n; i++) {
            k++;
            admin.publishConfirmed(Message.builder(queue).payload("order " + k).persistent(true).build()).get(10, TimeUnit.SECONDS);
        }
        return k;
    }

    /**
     * What the script needs: Node, playwright-core installed in {@code src/test/ui} and a Chromium.
     *
     * @param node the node command
     * @param dir the script's directory
     * @param script the script
     * @param chromium the browser's executable
     */
    record BrowserTools(String node, Path dir, Path script, Path chromium) {
        /** The tools, or the test is skipped (failed when RELAIS_REQUIRE_BROWSER is set) saying what is missing. */
        static BrowserTools require() {
            Path dir = Path.of(System.getProperty("basedir", "."), "src", "test", "ui").toAbsolutePath();
            String chromiumPath = System.getenv().getOrDefault("RELAIS_CHROMIUM", "/usr/bin/chromium");
            Path chromium = Path.of(chromiumPath);
            if (!Files.isExecutable(chromium)) {
                missing("no Chromium at " + chromium + ": install it with `apt-get install -y chromium` "
                        + "(or point RELAIS_CHROMIUM at one)");
            }
            String node = "node";
            if (!runs(node, "--version")) {
                missing("no `node` on the PATH: install Node.js 20 or later (`apt-get install -y nodejs npm`)");
            }
            if (!Files.isDirectory(dir.resolve("node_modules").resolve("playwright-core"))) {
                missing("playwright-core is not installed in " + dir + ": run `npm ci --prefix broker/src/test/ui`");
            }
            return new BrowserTools(node, dir, dir.resolve("webui-e2e.mjs"), chromium);
        }

        private static void missing(String why) {
            if (System.getenv("RELAIS_REQUIRE_BROWSER") != null) {
                fail(why + ". RELAIS_REQUIRE_BROWSER is set, so this fails instead of skipping.");
            }
            Assumptions.abort(why + ". Skipping the web UI browser test.");
        }

        private static boolean runs(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
