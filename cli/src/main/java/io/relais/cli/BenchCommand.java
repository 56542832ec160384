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

/** {@code relais bench}: the scenario runner, Relais against RabbitMQ in the same run. See bench/README.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmark scenarios on a Relais broker it starts (and on RabbitMQ with --against).")
final class BenchCommand implements Callable<Integer> {
    private static final String ALL = "transient,durable,fanout,latency,durable-1k,durable-64k,connections";

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

    @Option(names = "--against", paramLabel = "SYSTEM", description = "Also run on this system: rabbitmq.")
    String against;

    @Option(names = "--amqp", paramLabel = "URI", defaultValue = BenchOptions.DEFAULT_AMQP,
            description = "RabbitMQ to run against (default: ${DEFAULT-VALUE}).")
    String amqp;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
            description = "Where to write results.json and chart.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000",
            description = "Connections in the connections scenario (default: ${DEFAULT-VALUE}).")
    int connections;

    @Override
    public Integer call() throws Exception {
        if (against != null && !against.equals("rabbitmq")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--against must be rabbitmq, not '"
                    + against + "'");
        }
        if (duration <= 0 || warmup < 0 || connections <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--duration and --connections must be positive, --warmup not negative");
        }
        String command = "relais bench " + String.join(" ", Arrays.asList(spec.commandLine().getParseResult()
                .originalArgs().toArray(String[]::new)));
        BenchOptions options = new BenchOptions(scenarios, duration, warmup, against != null, amqp, out, connections,
                command);
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
