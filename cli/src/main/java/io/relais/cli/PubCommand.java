package io.relais.cli;

import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.Properties;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relais pub}: publishes MESSAGE, or each line of standard input as one message.
 *
 * <p>Without {@code --confirm} messages are sent without waiting per message, and the closing
 * handshake makes sure the broker has processed them all (errors such as an unknown exchange are
 * reported and make the exit status 1). With {@code --confirm} (implied by {@code --mandatory})
 * every message waits for the broker's confirm: a refused or unroutable message makes the exit
 * status 1.
 */
@Command(name = "pub", mixinStandardHelpOptions = true,
        description = "Publish MESSAGE, or each line of standard input as one message.")
final class PubCommand implements Callable<Integer> {
    private static final int MAX_WAITING = 1000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--exchange", paramLabel = "X", defaultValue = "",
            description = "Exchange to publish to (default: the default topic exchange).")
    String exchange;

    @Option(names = "--persistent", description = "Mark the message persistent (stored by durable queues).")
    boolean persistent;

    @Option(names = "--mandatory", description = "Fail if no queue is bound for the routing key (implies --confirm).")
    boolean mandatory;

    @Option(names = "--confirm", description = "Wait for the broker to confirm every message; exit 1 on any refusal.")
    boolean confirm;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "With --confirm: most time to wait for each confirm, e.g. 500ms, 5s (default: 30s); "
                    + "a confirm that does not come counts as a failure.")
    Duration timeout;

    @Option(names = "--content-type", description = "Content type property, e.g. text/plain.")
    String contentType;

    @Option(names = "--header", paramLabel = "KEY=VALUE", description = "Header (string value). Repeatable.")
    List<String> headers = List.of();

    @Parameters(index = "0", paramLabel = "ROUTING_KEY")
    String routingKey;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MESSAGE",
            description = "The message; when absent, each line of standard input is one message.")
    String message;

    @Override
    public Integer call() throws Exception {
        Properties properties = properties();
        boolean waitForConfirms = confirm || mandatory;
        List<RelaisException> asyncErrors = new CopyOnWriteArrayList<>();
        ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
        long sent = 0;
        int failed = 0;
        try (RelaisClient client = server.connect()) {
            client.onError(asyncErrors::add);
            if (message != null) {
                waiting.add(send(client, message, properties, waitForConfirms));
                sent++;
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    waiting.add(send(client, line, properties, waitForConfirms));
                    sent++;
                    while (waiting.size() > MAX_WAITING) {
                        failed += await(waiting.poll());
                    }
                }
            }
            while (!waiting.isEmpty()) {
                failed += await(waiting.poll());
            }
        }
        for (RelaisException e : asyncErrors) {
            System.err.println("relais: " + CliErrors.describe(e));
        }
        if (failed > 0 || !asyncErrors.isEmpty()) {
            System.err.println("relais: " + (failed + asyncErrors.size()) + " of " + sent + " messages failed");
            return 1;
        }
        System.err.println("published " + sent + (sent == 1 ? " message" : " messages") + " to '" + routingKey + "'"
                + (waitForConfirms ? " (confirmed)" : ""));
        return 0;
    }

    private CompletableFuture<Void> send(RelaisClient client, String text, Properties properties, boolean confirmed) {
        Message m = Message.builder(routingKey).exchange(exchange).payload(text).properties(properties)
                .persistent(persistent).mandatory(mandatory).build();
        return confirmed ? client.publishConfirmed(m) : client.publish(m);
    }

    private int await(CompletableFuture<Void> f) throws InterruptedException {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return 0;
        } catch (ExecutionException e) {
            System.err.println("relais: " + CliErrors.describe(e));
            return 1;
        } catch (TimeoutException e) {
            System.err.println("relais: no confirm from the broker within " + timeout.toMillis() + " ms");
            f.cancel(false);
            return 1;
        }
    }

    private Properties properties() {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String h : headers) {
            int eq = h.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--header must be KEY=VALUE, not '"
                        + h + "'");
            }
            map.put(h.substring(0, eq), h.substring(eq + 1));
        }
        return Properties.builder().contentType(contentType).headers(map.isEmpty() ? null : map).build();
    }
}
