package io.relais.bench.scenario;

import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the chosen scenarios: each on a Relais broker it starts in its own process for the run (default
 * configuration, fresh data directory; each scenario deletes its queues when done), then on RabbitMQ if
 * asked; prints the table and writes the report. Not thread-safe.
 */
public final class BenchRunner {
    private final BenchOptions options;
    private final PrintStream out;

    /** @throws IllegalArgumentException if a scenario name is unknown */
    public BenchRunner(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        for (String id : options.scenarios()) {
            Scenario.byId(id);
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
        String rabbitVersion = options.againstRabbitmq() ? rabbitVersion() : null;
        Machine machine = Machine.here(rabbitVersion);
        out.println("machine: " + machine.describe());
        List<Result> results = new ArrayList<>();
        // One broker for the whole run, so that its JIT warm-up is paid once, not once per scenario.
        try (BrokerProcess broker = BrokerProcess.start(brokerFlags())) {
            out.printf("relais broker pid %d, port %d%n", broker.pid(), broker.port());
            for (Scenario s : scenarios) {
                out.printf("%s on relais...%n", s.id());
                try (RelaisSystem relais = new RelaisSystem("127.0.0.1:" + broker.port())) {
                    results.add(s.run(relais, options.warmupSeconds(), options.seconds(), options.connections()));
                }
                if (options.againstRabbitmq()) {
                    out.printf("%s on rabbitmq (%s)...%n", s.id(), options.amqpUri());
                    try (RabbitSystem rabbit = new RabbitSystem(options.amqpUri())) {
                        results.add(s.run(rabbit, options.warmupSeconds(), options.seconds(), options.connections()));
                    }
                }
            }
        }
        Report.printTable(results, out);
        Files.createDirectories(options.out());
        Report.writeJson(results, machine, options.command(), options.out().resolve("results.json"));
        Report.writeChart(results, "Relais" + (options.againstRabbitmq() ? " vs RabbitMQ" : "") + ", "
                + machine.cores() + " cores, " + LocalDate.now(), options.out().resolve("chart.png"));
        out.println("wrote " + options.out().resolve("results.json") + " and " + options.out().resolve("chart.png"));
        return results;
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
