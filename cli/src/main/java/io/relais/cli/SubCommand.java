package io.relais.cli;

import io.relais.client.ConnectionEvent;
import io.relais.client.MessageHandler;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relais sub}: prints each message's payload on its own line, flushed per line.
 *
 * <p>With a PATTERN it subscribes to the exchange with that pattern (a private queue that lives as
 * long as the command). With {@code --queue} it consumes a named queue and acknowledges each
 * message after printing it, unless {@code --no-ack}. With {@code --count N} it exits 0 after N
 * messages; otherwise it runs until interrupted. It exits 1 if the broker closes the connection.
 */
@Command(name = "sub", mixinStandardHelpOptions = true,
        description = "Subscribe to PATTERN (or consume --queue NAME) and print each message's payload.")
final class SubCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--exchange", paramLabel = "X", defaultValue = "",
            description = "Exchange of the pattern (default: the default topic exchange).")
    String exchange;

    @Option(names = "--queue", paramLabel = "NAME", description = "Consume this queue instead of a pattern.")
    String queue;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Exit after N messages (default: run until interrupted).")
    long count;

    @Option(names = "--no-ack", description = "With --queue: automatic acknowledgement (a message counts as "
            + "delivered once sent). With --count, messages the broker already sent beyond N are lost.")
    boolean noAck;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "0",
            description = "With --queue: most unacknowledged messages at a time (default: the broker's).")
    int prefetch;

    @Parameters(arity = "0..1", paramLabel = "PATTERN", description = "Pattern such as 'chat.*' or 'logs.#'.")
    String pattern;

    private String forCount() {
        return count == 0 ? "" : count == 1 ? " for 1 message" : " for " + count + " messages";
    }

    @Override
    public Integer call() throws Exception {
        if ((pattern == null) == (queue == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either a PATTERN or --queue NAME");
        }
        if (count < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must not be negative");
        }
        PrintStream out = System.out;
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        List<RelaisException> errors = new CopyOnWriteArrayList<>();
        boolean manualAck = queue != null && !noAck;
        MessageHandler handler = delivery -> {
            if (count > 0 && received.get() >= count) {
                return;
            }
            byte[] payload = delivery.payload();
            synchronized (out) {
                out.write(payload, 0, payload.length);
                out.write('\n');
                out.flush();
            }
            if (manualAck) {
                delivery.ack();
            }
            if (received.incrementAndGet() == count) {
                done.countDown();
            }
        };
        CompletableFuture<ConnectionEvent> gaveUp = new CompletableFuture<>();
        try (ClientShutdownHook hook = new ClientShutdownHook(server.connectReconnecting(gaveUp),
                "relais-sub-shutdown")) {
            RelaisClient client = hook.client();
            client.onError(errors::add);
            Subscription subscription;
            if (queue != null) {
                SubscribeOptions options = SubscribeOptions.defaults().manualAck(manualAck).prefetch(prefetch);
                subscription = client.subscribeQueue(queue, options, handler).get();
                System.err.println("consuming queue '" + queue + "'" + forCount());
            } else {
                subscription = client.subscribe(exchange, pattern, handler).get();
                System.err.println("subscribed to '" + pattern + "' on " + (exchange.isEmpty() ? "the default exchange"
                        : "exchange '" + exchange + "'") + " (queue " + subscription.queue() + ")"
                        + forCount());
            }
            System.err.flush();
            while (!done.await(200, TimeUnit.MILLISECONDS)) {
                if (gaveUp.isDone()) {
                    for (RelaisException e : errors) {
                        System.err.println("relais: " + CliErrors.describe(e));
                    }
                    System.err.println("relais: connection to the broker was lost after " + received.get()
                            + " messages");
                    return 1;
                }
            }
            return 0;
        }
    }
}
