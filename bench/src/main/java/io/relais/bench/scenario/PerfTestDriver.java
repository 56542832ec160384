package io.relais.bench.scenario;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scenarios on RabbitMQ with RabbitMQ PerfTest, RabbitMQ's own load tool, in a child JVM whose
 * classpath is {@code bench/target/perftest-lib} (PerfTest and the amqp-client it was released with, copied
 * there by the build). The driver declares the queues (and the fanout exchange and its bindings) itself, so
 * that they are exactly those of the other systems, and runs PerfTest on them with {@code --predeclared};
 * it probes each queue's depth with a passive declare when the measurement starts and when it ends, and
 * reads PerfTest's per-second samples of that window ({@link PerfTestOutput}). The flags per scenario are in
 * {@link #flags} and in {@code bench/README.md}. Not thread-safe; one owner.
 */
final class PerfTestDriver {
    /** The system name in results. */
    static final String SYSTEM = "rabbitmq";
    private static final String PREFIX = "relais-bench.";
    private static final String LOGBACK = "<configuration><appender name=\"err\" "
            + "class=\"ch.qos.logback.core.ConsoleAppender\"><target>System.err</target><encoder>"
            + "<pattern>%d %level %logger{0} - %msg%n</pattern></encoder></appender>"
            + "<root level=\"WARN\"><appender-ref ref=\"err\"/></root></configuration>";

    private final String uri;
    private final Path lib;
    private final BenchOptions options;

    PerfTestDriver(String uri, BenchOptions options) throws IOException {
        this.uri = uri;
        this.options = options;
        this.lib = library();
    }

    /** {@code bench/target/perftest-lib} under {@code relais.home} (the launcher sets it), or under the module. */
    static Path library() throws IOException {
        List<Path> candidates = List.of(
                Path.of(System.getProperty("relais.home", ".")).resolve("bench/target/perftest-lib"),
                Path.of("target/perftest-lib"), Path.of("bench/target/perftest-lib"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                try (var files = Files.list(p)) {
                    if (files.anyMatch(f -> f.getFileName().toString().startsWith("perf-test-"))) {
                        return p.toAbsolutePath();
                    }
                }
            }
        }
        throw new IOException("RabbitMQ PerfTest is not built: none of " + candidates + " holds it; run "
                + "'./mvnw -pl bench -am package -DskipTests' (./relais does it when it builds)");
    }

    /** Runs one scenario on RabbitMQ. */
    Result run(Scenario scenario) {
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(uri);
        } catch (Exception e) {
            return Result.failed(scenario.id(), SYSTEM, e);
        }
        try (Connection admin = f.newConnection("relais-bench-perftest-admin")) {
            Channel ch = admin.createChannel();
            List<String> queues = declare(ch, scenario);
            try {
                if (scenario == Scenario.MAX_RATE) {
                    return maxRate(ch, queues);
                }
                Measured m = runPerfTest(ch, queues, flags(scenario, -1));
                PerfTestOutput.Window w = m.window();
                long sent = Math.round(w.sentPerS() * m.seconds());
                long received = Math.round(w.receivedPerS() * m.seconds());
                return new Result(scenario.id(), SYSTEM, w.sentPerS(), w.receivedPerS(), w.p50Us(), w.p99Us(), -1,
                        w.confirmP50Us(), w.confirmP99Us(), m.backlogGrowth(),
                        Steadiness.steady(m.backlogGrowth(), received, sent * scenario.deliveriesPerMessage()), -1,
                        List.of(),
                        null);
            } finally {
                for (String q : queues) {
                    ch.queueDelete(q);
                }
                if (scenario == Scenario.FANOUT) {
                    ch.exchangeDelete(PREFIX + "fanout");
                }
            }
        } catch (Exception e) {
            return Result.failed(scenario.id(), SYSTEM, e);
        }
    }

    private Result maxRate(Channel ch, List<String> queues) throws Exception {
        List<RateStep> steps = new ArrayList<>();
        for (long rate : options.rates()) {
            Measured m = runPerfTest(ch, queues, flags(Scenario.MAX_RATE, rate));
            PerfTestOutput.Window w = m.window();
            long sent = Math.round(w.sentPerS() * m.seconds());
            RateStep step = RateStep.of(rate, w.sentPerS(), w.receivedPerS(), w.p99Us(), m.backlogGrowth(),
                    Steadiness.steady(m.backlogGrowth(), Math.round(w.receivedPerS() * m.seconds()), sent));
            steps.add(step);
            if (!step.sustained()) {
                break;
            }
            ch.queuePurge(queues.get(0));
        }
        return Result.maxRate(Scenario.MAX_RATE.id(), SYSTEM, steps);
    }

    private List<String> declare(Channel ch, Scenario scenario) throws IOException {
        List<String> queues = new ArrayList<>();
        if (scenario == Scenario.FANOUT) {
            ch.exchangeDeclare(PREFIX + "fanout", BuiltinExchangeType.TOPIC, false, false, null);
            for (int i = 0; i < Scenario.FANOUT_PATTERNS.size(); i++) {
                String q = PREFIX + "fanout-" + (i + 1);
                ch.queueDelete(q);
                ch.queueDeclare(q, false, false, false, null);
                ch.queueBind(q, PREFIX + "fanout", Scenario.FANOUT_PATTERNS.get(i));
                queues.add(q);
            }
            return queues;
        }
        boolean durable = scenario != Scenario.TRANSIENT && scenario != Scenario.CONNECTIONS;
        String q = PREFIX + scenario.id();
        ch.queueDelete(q);
        ch.queueDeclare(q, durable, false, false, null);
        queues.add(q);
        return queues;
    }

    /** PerfTest's flags for a scenario, without the URI and the run time; {@code rate} only for max-rate. */
    List<String> flags(Scenario scenario, long rate) {
        String queue = PREFIX + scenario.id();
        List<String> durable = List.of("-x", "1", "-y", "1", "-f", "persistent", "-c", "1000", "-q", "500");
        List<String> toQueue = List.of("-e", "", "-k", queue, "-u", queue, "-p", "-sb");
        List<String> flags = new ArrayList<>();
        switch (scenario) {
            case TRANSIENT -> {
                flags.addAll(List.of("-x", "1", "-y", "1", "-s", "100", "-a"));
                flags.addAll(toQueue);
            }
            case DURABLE, DURABLE_1K, DURABLE_64K, LATENCY, MAX_RATE -> {
                flags.addAll(durable);
                int size = scenario == Scenario.DURABLE_1K ? 1024 : scenario == Scenario.DURABLE_64K ? 65536 : 100;
                flags.addAll(List.of("-s", Integer.toString(size)));
                flags.addAll(toQueue);
                if (scenario == Scenario.LATENCY) {
                    flags.addAll(List.of("--rate", Integer.toString(Scenario.LATENCY_RATE)));
                } else if (scenario == Scenario.MAX_RATE) {
                    flags.addAll(List.of("--rate", Long.toString(rate)));
                }
            }
            case FANOUT -> flags.addAll(List.of("-x", "1", "-y", Integer.toString(Scenario.FANOUT_PATTERNS.size()),
                    "-s", "100", "-a", "-e", PREFIX + "fanout", "-t", "topic", "-k", Scenario.FANOUT_KEY, "-p", "-sb",
                    "--queue-pattern", PREFIX + "fanout-%d", "--queue-pattern-from", "1", "--queue-pattern-to",
                    Integer.toString(Scenario.FANOUT_PATTERNS.size())));
            case CONNECTIONS -> {
                flags.addAll(List.of("-x", Integer.toString(options.connections()), "-y", "1", "-s", "100", "-a",
                        "-P", "1"));
                flags.addAll(toQueue);
            }
            default -> throw new IllegalArgumentException(scenario.id());
        }
        return flags;
    }

    private record Measured(PerfTestOutput.Window window, double seconds, long backlogGrowth) {
    }

    private long depth(Channel ch, List<String> queues) throws IOException {
        long n = 0;
        for (String q : queues) {
            n += ch.queueDeclarePassive(q).getMessageCount();
        }
        return n;
    }

    /**
     * Runs PerfTest for the warm-up and the measurement, probes the depth at the first sample at or after the
     * warm-up and at the first at or after its end, and stops PerfTest then.
     */
    private Measured runPerfTest(Channel ch, List<String> queues, List<String> flags) throws Exception {
        Path logback = Files.createTempFile("relais-bench-perftest-", ".xml");
        Files.writeString(logback, LOGBACK);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=" + logback, "-cp", lib + "/*", "com.rabbitmq.perf.PerfTest", "-h", uri,
                "-i", "1", "-z", Long.toString((long) Math.ceil(options.warmupSeconds() + options.seconds()) + 5)));
        cmd.addAll(flags);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> tail = Collections.synchronizedList(new ArrayList<>());
        List<PerfTestOutput.Sample> samples = new ArrayList<>();
        double start = -1;
        double end = -1;
        long before = 0;
        long after = 0;
        double measureUntil = options.warmupSeconds() + options.seconds();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (tail.size() > 20) {
                    tail.remove(0);
                }
                tail.add(line);
                PerfTestOutput.Sample s = PerfTestOutput.parse(line);
                if (s == null) {
                    continue;
                }
                samples.add(s);
                if (start < 0 && s.timeS() >= options.warmupSeconds() - 0.05) {
                    before = depth(ch, queues);
                    start = s.timeS();
                    measureUntil = start + options.seconds();
                } else if (start >= 0 && s.timeS() >= measureUntil - 0.05) {
                    after = depth(ch, queues);
                    end = s.timeS();
                    break;
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(logback);
        }
        if (end < 0) {
            throw new IOException("PerfTest ended before the measurement did (" + String.join(" ", flags)
                    + "); its last lines: " + String.join(" | ", tail));
        }
        PerfTestOutput.Window w = PerfTestOutput.window(samples, start, end);
        return new Measured(w, end - start, after - before);
    }
}
