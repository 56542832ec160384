package io.relais.bench.scenario;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code relais bench} was asked to do. Immutable; thread-safe.
 *
 * @param scenarios which scenarios, in order
 * @param seconds measurement time per scenario and system (per step for {@code max-rate})
 * @param warmupSeconds warm-up time before each measurement
 * @param against the other systems to run each scenario on: {@code rabbitmq} (PerfTest), {@code nats}
 * @param amqpUri where RabbitMQ is
 * @param natsUrl where NATS is
 * @param out directory for results.json and chart.png
 * @param connections connections for the {@code connections} scenario
 * @param clientProcs client processes for the producers and consumers of Relais and NATS; 0 runs them in the
 *     runner's JVM
 * @param rates the steps of the {@code max-rate} scenario, messages per second, rising
 * @param command the command line, for the report
 * @param relaisServer a running Relais broker to drive ({@code HOST:PORT}, {@code --relais}), or null to start
 *     one for the run (the default)
 */
public record BenchOptions(List<String> scenarios, double seconds, double warmupSeconds, List<String> against,
                           String amqpUri, String natsUrl, Path out, int connections, int clientProcs,
                           List<Long> rates, String command, String relaisServer) {
    /** Options for a run on a Relais broker the bench starts itself. */
    public BenchOptions(List<String> scenarios, double seconds, double warmupSeconds, List<String> against,
                        String amqpUri, String natsUrl, Path out, int connections, int clientProcs,
                        List<Long> rates, String command) {
        this(scenarios, seconds, warmupSeconds, against, amqpUri, natsUrl, out, connections, clientProcs, rates,
                command, null);
    }

    /** RabbitMQ's default address. */
    public static final String DEFAULT_AMQP = "amqp://guest:guest@localhost:5672";
    /** NATS's default address. */
    public static final String DEFAULT_NATS = NatsSystem.DEFAULT_URL;
    /** Client processes by default: one for the consumers, one for the producers. */
    public static final int DEFAULT_CLIENT_PROCS = 2;
    /** The systems {@code --against} accepts. */
    public static final List<String> SYSTEMS = List.of("rabbitmq", "nats");

    /** The default steps of {@code max-rate}, as a comma list. */
    public static String defaultRates() {
        return String.join(",", Scenario.DEFAULT_RATES.stream().map(String::valueOf).toList());
    }
}
