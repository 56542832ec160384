package io.relais.cli;

import io.relais.client.Message;
import io.relais.client.ConnectionEvent;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.Properties;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * status 1. At the end it says how many messages were confirmed and how many failed, each distinct
 * reason once with its count; {@code --report FILE} (implies {@code --confirm}) writes the line
 * numbers of standard input whose message failed, one per line, so that exactly those can be sent
 * again. A message counts as failed when the broker refused it, the connection was lost before
 * its confirm came, or the confirm did not come within {@code --timeout}.
 *
 * <p>Runs on the command's thread; confirms complete on the client's I/O thread and are only
 * read back on the command's thread.
 */
@Command(name = "pub", mixinStandardHelpOptions = true,
        description = "Publish MESSAGE, or each line of standard input as one message.")
final class PubCommand implements Callable<Integer> {
    private static final int MAX_WAITING = 1000;
    /** Distinct failure reasons printed; the rest are counted in one line. */
    private static final int MAX_REASONS = 5;

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

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write the line numbers (from 1) of the messages that failed to FILE, one per line, "
                    + "so they can be sent again (implies --confirm).")
    Path report;

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
        boolean waitForConfirms = confirm || mandatory || report != null;
        List<RelaisException> asyncErrors = new CopyOnWriteArrayList<>();
        ArrayDeque<Pending> waiting = new ArrayDeque<>();
        Outcomes outcomes = new Outcomes();
        long sent = 0;
        FlowNotices flow = new FlowNotices();
        try (RelaisClient client = server.connect()) {
            client.onError(asyncErrors::add);
            client.onConnectionEvent(flow::event);
            if (message != null) {
                waiting.add(new Pending(1, send(client, message, properties, waitForConfirms)));
                sent++;
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    sent++;
                    waiting.add(new Pending(sent, send(client, line, properties, waitForConfirms)));
                    while (waiting.size() > MAX_WAITING) {
                        await(waiting.poll(), outcomes);
                    }
                }
            }
            while (!waiting.isEmpty()) {
                await(waiting.poll(), outcomes);
            }
        } finally {
            // Whatever ended the run, the messages not yet confirmed count as failed.
            while (!waiting.isEmpty()) {
                Pending p = waiting.poll();
                outcomes.failed(p.line(), "not confirmed: the publisher stopped before its confirm came");
            }
        }
        for (RelaisException e : asyncErrors) {
            System.err.println("relais: " + CliErrors.describe(e));
        }
        flow.summary();
        if (report != null) {
            outcomes.writeReport(report);
        }
        long failed = outcomes.failedCount();
        if (failed > 0 || !asyncErrors.isEmpty()) {
            outcomes.printReasons();
            System.err.println("relais: " + (failed + asyncErrors.size()) + " of " + sent + " messages failed"
                    + (waitForConfirms ? ", " + (sent - failed) + " confirmed" : "")
                    + (report != null ? "; the failed line numbers are in " + report : ""));
            return 1;
        }
        System.err.println("published " + sent + (sent == 1 ? " message" : " messages") + " to '" + routingKey + "'"
                + (waitForConfirms ? " (confirmed)" : ""));
        return 0;
    }

    private CompletableFuture<Void> send(RelaisClient client, String text, Properties properties, boolean confirmed) {
        Message m = Message.builder(routingKey).exchange(exchange).payload(text).properties(properties)
                .persistent(persistent).mandatory(mandatory).build();
        try {
            return confirmed ? client.publishConfirmed(m) : client.publish(m);
        } catch (RuntimeException e) {
            // Counted like a refusal, so that every line read is accounted for in the report.
            return CompletableFuture.failedFuture(e);
        }
    }

    private void await(Pending p, Outcomes outcomes) throws InterruptedException {
        try {
            p.confirm().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            outcomes.failed(p.line(), CliErrors.describe(e));
        } catch (TimeoutException e) {
            p.confirm().cancel(false);
            outcomes.failed(p.line(), "no confirm from the broker within " + timeout.toMillis() + " ms");
        }
    }

    /** A message sent and not yet settled: its line number (from 1) and its confirm. */
    private record Pending(long line, CompletableFuture<Void> confirm) {
    }

    /** The failures of one run: their line numbers, and how often each reason occurred. */
    private static final class Outcomes {
        private final Map<String, Long> reasons = new LinkedHashMap<>();
        private final List<Long> failedLines = new ArrayList<>();

        void failed(long line, String reason) {
            failedLines.add(line);
            reasons.merge(reason, 1L, Long::sum);
        }

        long failedCount() {
            return failedLines.size();
        }

        void printReasons() {
            int shown = 0;
            long others = 0;
            for (Map.Entry<String, Long> r : reasons.entrySet()) {
                if (shown++ < MAX_REASONS) {
                    long n = r.getValue();
                    System.err.println("relais: " + (n == 1 ? "" : n + " messages: ") + r.getKey());
                } else {
                    others += r.getValue();
                }
            }
            if (others > 0) {
                System.err.println("relais: " + others + " messages failed for " + (reasons.size() - MAX_REASONS)
                        + " other reasons");
            }
        }

        void writeReport(Path file) throws IOException {
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (long line : failedLines) {
                    w.write(Long.toString(line));
                    w.newLine();
                }
            }
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

    /**
     * Tells the user when the broker pauses this publisher (flow control: a congested queue or the memory
     * alarm), at most once every few seconds, and how often it did at the end. Runs on the client's handler
     * thread; {@link #summary} after the client closed.
     */
    static final class FlowNotices {
        private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);
        private int pauses;
        private long lastNotice = System.nanoTime() - QUIET_NANOS;

        synchronized void event(ConnectionEvent e) {
            if (e.type() != ConnectionEvent.Type.BLOCKED) {
                return;
            }
            pauses++;
            long now = System.nanoTime();
            if (now - lastNotice >= QUIET_NANOS) {
                lastNotice = now;
                System.err.println("relais: the broker paused this publisher (" + e.reason()
                        + "); it goes on when the queue drains");
            }
        }

        synchronized void summary() {
            if (pauses > 0) {
                System.err.println("relais: the broker paused this publisher " + pauses
                        + (pauses == 1 ? " time" : " times") + " for flow control");
            }
        }
    }
}
