package io.relais.bench.scenario;

import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the chosen scenarios: each on a Relais broker it starts in its own process for the run (default
 * configuration, fresh data directory; each scenario deletes its queues when done), or on the running broker
 * {@code --relais} names (to watch its metrics move, say; the broker is left running), then on each system of
 * {@code --against}: RabbitMQ through PerfTest ({@link PerfTestDriver}), NATS through jnats
 * ({@link NatsSystem}); prints the table and writes the report. Not thread-safe.
 */
public final class BenchRunner {
    private final BenchOptions options;
    private final PrintStream out;

    /** @throws IllegalArgumentException if a scenario or system name is unknown */
    public BenchRunner(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        for (String id : options.scenarios()) {
            Scenario.byId(id);
        }
        for (String system : options.against()) {
            if (!BenchOptions.SYSTEMS.contains(system)) {
                throw new IllegalArgumentException("unknown system '" + system + "' for --against; known: "
                        + String.join(", ", BenchOptions.SYSTEMS));
            }
        }
        if (options.rates().isEmpty()) {
            throw new IllegalArgumentException("max-rate needs at least one rate");
        }
    }

    /**
     * Runs everything and writes the report.
     *
     * @return the results, one per scenario and system (failed ones carry their error)
     */
    public List<Result> run() throws Exception {
        List<Scenario> scenarios = new ArrayList<>();
        for (String id : options.scenarios()) {
            scenarios.add(Scenario.byId(id));
        }
        String rabbitVersion = options.against().contains("rabbitmq") ? rabbitVersion() : null;
        String natsVersion = null;
        if (options.against().contains("nats")) {
            try (NatsSystem nats = new NatsSystem(options.natsUrl())) {
                natsVersion = nats.serverVersion();
            }
        }
        Machine machine = Machine.here(rabbitVersion, natsVersion);
        out.println("machine: " + machine.describe());
        out.println("client processes for relais and nats: " + options.clientProcs());
        PerfTestDriver perfTest = options.against().contains("rabbitmq")
                ? new PerfTestDriver(options.amqpUri(), options) : null;
        List<Result> results = new ArrayList<>();
        Scenario.Progress progress = out::println;
        // One broker for the whole run, so that its JIT warm-up is paid once, not once per scenario.
        Files.createDirectories(options.out());
        Path brokerLog = options.out().resolve("broker.log");
        if (options.relaisServer() != null) {
            out.printf("relais broker at %s (already running; not started or stopped by the bench)%n",
                    options.relaisServer());
            runAll(scenarios, options.relaisServer(), perfTest, progress, results);
        } else {
            try (BrokerProcess broker = BrokerProcess.start(brokerFlags(), brokerLog)) {
                out.printf("relais broker pid %d, port %d, log %s%n", broker.pid(), broker.port(), brokerLog);
                runAll(scenarios, "127.0.0.1:" + broker.port(), perfTest, progress, results);
            }
        }
        results.removeIf(r -> r == null);
        Report.printTable(results, out);
        Files.createDirectories(options.out());
        Report.writeJson(results, machine, options.command(), options.out().resolve("results.json"));
        Report.writeChart(results, String.join(" vs ", results.stream().map(Result::system).distinct().toList())
                + ", " + machine.cores() + " cores, " + LocalDate.now(), options.out().resolve("chart.png"));
        out.println("wrote " + options.out().resolve("results.json") + " and " + options.out().resolve("chart.png"));
        return results;
    }

    /** Runs every scenario on the Relais broker at {@code relaisServer}, then on the other systems. */
    private void runAll(List<Scenario> scenarios, String relaisServer, PerfTestDriver perfTest,
                        Scenario.Progress progress, List<Result> results) throws Exception {
        for (Scenario s : scenarios) {
            out.printf("%s on relais...%n", s.id());
            try (RelaisSystem relais = new RelaisSystem(relaisServer)) {
                results.add(s.run(relais, relaisServer, options, progress));
            }
            for (String system : options.against()) {
                results.add(runOn(system, s, perfTest, progress));
            }
        }
    }

    private Result runOn(String system, Scenario s, PerfTestDriver perfTest, Scenario.Progress progress)
            throws Exception {
        switch (system) {
            case "rabbitmq" -> {
                out.printf("%s on rabbitmq with PerfTest (%s)...%n", s.id(), options.amqpUri());
                return perfTest.run(s);
            }
            default -> {
                if (s == Scenario.CONNECTIONS) {
                    out.println("connections: not run on nats (it is not part of the NATS comparison)");
                    return null;
                }
                out.printf("%s on nats (%s)...%n", s.id(), options.natsUrl());
                try (NatsSystem nats = new NatsSystem(options.natsUrl())) {
                    return s.run(nats, options.natsUrl(), options, progress);
                }
            }
        }
    }

    /** Extra JVM flags for the broker process, from RELAIS_BENCH_BROKER_OPTS (e.g. to record a JFR profile). */
    private static List<String> brokerFlags() {
        String opts = System.getenv("RELAIS_BENCH_BROKER_OPTS");
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }

    private String rabbitVersion() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(options.amqpUri());
        try (var c = f.newConnection("relais-bench-probe")) {
            Object v = c.getServerProperties().get("version");
            return v == null ? "unknown" : v.toString();
        }
    }
}
