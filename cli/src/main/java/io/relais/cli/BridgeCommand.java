package io.relais.cli;

import io.relais.bridge.Bridge;
import io.relais.bridge.BridgeConfig;
import io.relais.bridge.LinkConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code relais bridge}: runs the bridge on its own, between a Relais broker and RabbitMQ, until interrupted.
 * See bridge/README.md.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Mirror topics between Relais and RabbitMQ until interrupted.")
final class BridgeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--amqp", paramLabel = "URI", description = "RabbitMQ (default: the config's, or "
            + BridgeConfig.DEFAULT_AMQP + ").")
    String amqp;

    @Option(names = "--amqp-cacert", paramLabel = "FILE", description = "With an amqps:// URI: PEM file of the CA "
            + "that signed RabbitMQ's certificate (default: the config's bridge.amqp-cacert, else the JDK's authorities).")
    Path amqpCacert;

    @Option(names = "--to-rabbitmq", paramLabel = "PATTERN", description = "Mirror what is published to Relais's "
            + "default exchange under PATTERN into RabbitMQ's amq.topic, same routing key. Repeatable.")
    List<String> toRabbitmq = new ArrayList<>();

    @Option(names = "--from-rabbitmq", paramLabel = "PATTERN", description = "Mirror what is published to "
            + "RabbitMQ's amq.topic under PATTERN into Relais's default exchange. Repeatable.")
    List<String> fromRabbitmq = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        BridgeConfig fromFile;
        try {
            // --config (of the connection options) names the file of both the client: and the bridge: sections.
            fromFile = server.configFile() == null ? null : BridgeConfig.load(server.configFile());
        } catch (IllegalArgumentException e) {
            System.err.println("relais: configuration error: " + e.getMessage());
            return 1;
        }
        List<LinkConfig> links = new ArrayList<>(fromFile == null ? List.of() : fromFile.links());
        toRabbitmq.forEach(p -> links.add(LinkConfig.toRabbitmq(p)));
        fromRabbitmq.forEach(p -> links.add(LinkConfig.fromRabbitmq(p)));
        if (links.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no links: give --to-rabbitmq, --from-rabbitmq or a --config with a bridge: section");
        }
        String uri = amqp != null ? amqp : fromFile != null ? fromFile.amqpUri() : BridgeConfig.DEFAULT_AMQP;
        BridgeConfig cfg;
        try {
            cfg = new BridgeConfig(uri, amqpCacert != null ? amqpCacert : fromFile != null ? fromFile.amqpCacert() : null,
                    links);
        } catch (IllegalArgumentException e) {
            System.err.println("relais: " + e.getMessage());
            return 1;
        }
        Bridge bridge;
        try {
            bridge = Bridge.start(server.builder(), cfg);
        } catch (Exception e) {
            System.err.println("relais: cannot start the bridge: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                bridge.close();
            } catch (Exception e) {
                System.err.println("relais: the bridge did not stop cleanly: " + e);
            }
            stopped.countDown();
        }, "relais-bridge-shutdown"));
        for (LinkConfig l : links) {
            System.err.println("bridging " + l.describe());
        }
        System.err.println("bridge running between " + server.server() + " and " + uri + " (Ctrl-C to stop)");
        stopped.await();
        return 0;
    }
}
