package io.relais.bench.scenario;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code relais bench} was asked to do. Immutable; thread-safe.
 *
 * @param scenarios which scenarios, in order
 * @param seconds measurement time per scenario and system
 * @param warmupSeconds warm-up time before each measurement
 * @param againstRabbitmq whether to run each scenario on RabbitMQ too
 * @param amqpUri where RabbitMQ is
 * @param out directory for results.json and chart.png
 * @param connections connections for the {@code connections} scenario
 * @param command the command line, for the report
 */
public record BenchOptions(List<String> scenarios, double seconds, double warmupSeconds, boolean againstRabbitmq,
                           String amqpUri, Path out, int connections, String command) {
    public static final String DEFAULT_AMQP = "amqp://guest:guest@localhost:5672";
}
