package io.relais.cli;

import io.relais.bench.scenario.BenchOptions;
import io.relais.bench.scenario.BenchRunner;
import io.relais.bench.scenario.Result;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code relais bench}: the scenario runner, Relais against RabbitMQ and NATS in the same run. See bench/README.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmark scenarios on a Relais broker it starts (and on RabbitMQ or NATS with --against).")
final class BenchCommand implements Callable<Integer> {
    private static final String ALL = "transient,durable,fanout,latency,durable-1k,durable-64k,connections,max-rate";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "A,B,...", defaultValue = ALL, split = ",",
            description = "Scenarios to run (default: all): " + ALL + ".")
    List<String> scenarios;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "Measurement time per scenario and system (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
            description = "Warm-up before each measurement (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--against", paramLabel = "A,B", split = ",",
            description = "Also run on these systems: rabbitmq (driven by RabbitMQ PerfTest), nats (jnats; "
                    + "JetStream for the durable scenarios).")
    List<String> against = List.of();

    @Option(names = "--nats", paramLabel = "URL", defaultValue = BenchOptions.DEFAULT_NATS,
            description = "NATS server to run against (default: ${DEFAULT-VALUE}).")
    String nats;

    @Option(names = "--client-procs", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_CLIENT_PROCS,
            description = "Client processes for the Relais and NATS producers and consumers; with 2 or more, "
                    + "consumers and producers never share one; 0 runs them in this JVM (default: ${DEFAULT-VALUE}).")
    int clientProcs;

    @Option(names = "--rates", paramLabel = "R1,R2,...", split = ",", defaultValue = "5000,10000,20000,40000,80000,"
            + "160000,320000,640000,1280000",
            description = "The rising rates of max-rate, messages/s, one step of --duration each "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Long> rates;

    @Option(names = "--amqp", paramLabel = "URI", defaultValue = BenchOptions.DEFAULT_AMQP,
            description = "RabbitMQ to run against (default: ${DEFAULT-VALUE}).")
    String amqp;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
            description = "Where to write results.json and chart.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--relais", paramLabel = "HOST:PORT",
            description = "Drive this running Relais broker (as user guest) instead of starting one for the run; "
                    + "it is left running, with what the scenarios did visible in its metrics.")
    String relais;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000",
            description = "Connections in the connections scenario (default: ${DEFAULT-VALUE}).")
    int connections;

    @Override
    public Integer call() throws Exception {
        if (duration <= 0 || warmup < 0 || connections <= 0 || clientProcs < 0
                || rates.stream().anyMatch(r -> r <= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration, --connections and --rates "
                    + "must be positive, --warmup and --client-procs not negative");
        }
        if (relais != null && !relais.matches("[^\\s:]+:\\d{1,5}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--relais must be HOST:PORT, found '"
                    + relais + "'");
        }
        String command = "relais " + String.join(" ", Arrays.asList(spec.commandLine().getParseResult()
                .originalArgs().toArray(String[]::new)));
        BenchOptions options = new BenchOptions(scenarios, duration, warmup, List.copyOf(against), amqp, nats, out,
                connections, clientProcs, List.copyOf(rates), command, relais);
        BenchRunner runner;
        try {
            runner = new BenchRunner(options, System.out);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<Result> results = runner.run();
        return results.stream().anyMatch(r -> r.error() != null) ? 1 : 0;
    }
}
