package io.relais.cli;

import io.relais.client.Delivery;
import io.relais.client.NoRouteException;
import io.relais.client.RelaisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relais request}: sends MESSAGE as a request to ROUTING_KEY on the default exchange and prints the
 * reply's payload and a newline. Exit status 1 when no service is listening on the routing key (no queue
 * bound: the broker returns the request at once) or when no reply comes within {@code --timeout}.
 */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = "Send MESSAGE as a request to ROUTING_KEY and print the reply (see 'relais reply').")
final class RequestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Most time to wait for the reply, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Parameters(index = "0", paramLabel = "ROUTING_KEY", description = "Routing key of the service, e.g. 'svc'.")
    String routingKey;

    @Parameters(index = "1", paramLabel = "MESSAGE", description = "The request's payload.")
    String message;

    @Override
    public Integer call() throws Exception {
        if (timeout.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        try (RelaisClient client = server.connect()) {
            Delivery reply;
            try {
                reply = client.request(routingKey, message.getBytes(StandardCharsets.UTF_8), timeout).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof NoRouteException) {
                    System.err.println("relais: no service is listening on '" + routingKey
                            + "' (no queue bound for that routing key)");
                } else {
                    System.err.println("relais: " + CliErrors.describe(e));
                }
                return 1;
            }
            System.out.write(reply.payload());
            System.out.write('\n');
            System.out.flush();
            return 0;
        }
    }
}
