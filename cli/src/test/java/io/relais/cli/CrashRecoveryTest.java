package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.ExchangeType;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.protocol.frame.QueueInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable queues survive a broker crash: a broker in its own process is killed with SIGKILL while a
 * publisher sends persistent messages with confirms, then started again on the same data directory.
 *
 * <p>The crash-cycle test publishes the numbers 1, 2, 3 ... to a durable topic exchange {@code orders}
 * routed to a durable queue {@code q}. Each cycle: connect; publish continuously (at most 200
 * unconfirmed); consume part of the backlog with manual acks, cancel, wait until the broker shows no
 * unacked message (so it processed every ack) and call those numbers settled; consume on with a new
 * subscription; after a random 200-1500 ms kill the broker and start it again. After the last cycle it
 * drains the queue and checks: every confirmed number was delivered at least once; within each
 * subscription the deliveries not flagged redelivered are strictly increasing; no settled number is ever
 * delivered again.
 *
 * <p>It runs 3 cycles by default; {@code -Drelais.crash.cycles=50} runs 50, for example
 * {@code cd cli && ../mvnw test -Dtest=CrashRecoveryTest -Drelais.crash.cycles=50}. The random seed is
 * printed at the start and can be fixed with {@code -Drelais.crash.seed=N}. Broker output goes to the
 * surefire report ({@code cli/target/surefire-reports/io.relais.cli.CrashRecoveryTest-output.txt}).
 *
 * <p>Threads: the test thread drives the cycles; see {@link SequencePublisher} and
 * {@link ConsumerSession} for theirs.
 */
class CrashRecoveryTest {
    private static final String EXCHANGE = "orders";
    private static final String QUEUE = "q";
    private static final String ROUTING_KEY = "orders.eu";
    private static final int PREFETCH = 100;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final int cycles = Integer.getInteger("relais.crash.cycles", 3);
    private final long seed = Long.getLong("relais.crash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final AtomicLong sequence = new AtomicLong();

    @Test
    void shouldDeliverEveryConfirmedMessageInOrderAndNoSettledOneAgainWhenKilledRepeatedly(@TempDir Path dataDir)
            throws Exception {
        log("seed " + seed + " (-Drelais.crash.seed), " + cycles + " cycles (-Drelais.crash.cycles)");
        BrokerProcess broker = BrokerProcess.start(dataDir);
        try {
            try (RelaisClient client = connect(broker)) {
                client.declareExchange(EXCHANGE, ExchangeType.TOPIC, true, false).get(30, TimeUnit.SECONDS);
                client.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).get(30, TimeUnit.SECONDS);
                client.bind(QUEUE, EXCHANGE, "orders.#").get(30, TimeUnit.SECONDS);
            }
            for (int cycle = 1; cycle <= cycles; cycle++) {
                runUntilKilled(cycle, broker);
                broker = restart(broker, dataDir, cycle);
            }
            drain(broker);
            log("stopping: exit status " + broker.stop() + "; " + ledger.summary());
        } finally {
            broker.close();
            log("last broker output:\n" + broker.output());
        }
        assertThat(ledger.violations()).as("rules broken (seed %d); %s", seed, ledger.summary()).isEmpty();
        BitSet missing = ledger.confirmedButNeverDelivered();
        assertThat(missing.isEmpty()).as("confirmed but never delivered (seed %d): %s; %s", seed,
                ledger.describe(missing), ledger.summary()).isTrue();
    }

    /** The "Done when" of the durable queues issue, as a user runs it: each command a separate process. */
    @Test
    void shouldKeepPersistentMessagesAcrossKillWhenDoneAsTheReadmeSays(@TempDir Path dataDir) {
        int count = 20_000;
        BrokerProcess broker = BrokerProcess.start(dataDir);
        try {
            relais(broker, "exchange", "declare", "--type", "topic", "--durable", "orders");
            relais(broker, "queue", "declare", "--durable", "--bind", "orders:orders.#", "q");
            try (CliProcess pub = CliProcess.start(withServer(broker, "pub", "--exchange", "orders", "--persistent",
                    "--confirm", "orders.eu"))) {
                pub.writeStdin(lines(count));
                assertThat(pub.waitFor()).as("pub: %s", pub.stderr()).isZero();
                assertThat(pub.stderr()).contains("published " + count + " messages");
            }
            broker.kill();
            broker = BrokerProcess.start(dataDir);

            CliProcess sub = relais(broker, "sub", "--queue", "q", "--count", Integer.toString(count));
            assertThat(firstDifference(sub.stdout(), lines(count))).as("sub after kill -9 and restart").isEmpty();
            broker.kill();
            broker = BrokerProcess.start(dataDir);

            CliProcess list = relais(broker, "queue", "list");
            assertThat(list.stdout()).as("consumed and acked before kill -9, so gone after restart")
                    .containsPattern("(?m)^q\\s+0\\s+0\\s+0\\s+durable");
        } finally {
            broker.close();
        }
    }

    /** One cycle on a running broker: publish, consume and settle, consume on, kill. */
    private void runUntilKilled(int cycle, BrokerProcess broker) throws Exception {
        ledger.cycleStarts(cycle, sequence.get() + 1);
        try (RelaisClient publishing = connect(broker); RelaisClient consuming = connect(broker)) {
            SequencePublisher publisher = new SequencePublisher(publishing, EXCHANGE, ROUTING_KEY, sequence, ledger);
            publisher.start();

            int part = 100 + random.nextInt(1900);
            ConsumerSession settling = ConsumerSession.subscribe(consuming, QUEUE, PREFETCH,
                    "cycle " + cycle + " session 1", ledger, DEADLINE);
            Poll.until("cycle " + cycle + " to consume " + part + " messages", DEADLINE,
                    () -> settling.received() >= part, () -> "received " + settling.received() + "; "
                            + ledger.summary() + "; broker output:\n" + broker.output());
            settling.cancel(DEADLINE);
            Poll.until("cycle " + cycle + ": no consumer and no unacked message on '" + QUEUE + "'", DEADLINE,
                    () -> queue(consuming).filter(q -> q.unacked() == 0 && q.consumers() == 0).isPresent(),
                    () -> "queue: " + queue(consuming) + "; broker output:\n" + broker.output());
            ledger.settle(settling.acked());

            ConsumerSession unsettled = ConsumerSession.subscribe(consuming, QUEUE, PREFETCH,
                    "cycle " + cycle + " session 2", ledger, DEADLINE);
            long delay = 200 + random.nextInt(1301);
            Thread.sleep(delay); // the crash comes at a random moment, not when something is done
            broker.kill();
            publisher.awaitEnd(DEADLINE);
            log("cycle " + cycle + ": killed " + broker + " after " + delay + " ms; session 1 received "
                    + settling.received() + ", session 2 " + unsettled.received() + "; confirmed "
                    + publisher.confirms() + " this cycle, first failure " + publisher.firstFailure() + "; "
                    + ledger.summary());
            assertThat(publisher.confirms()).as("cycle %d: confirms (first failure: %s); broker output:%n%s", cycle,
                    publisher.firstFailure(), broker.output()).isPositive();
        }
    }

    /** Starts the broker again on the same data directory and checks the queue is still there. */
    private BrokerProcess restart(BrokerProcess killed, Path dataDir, int cycle) throws Exception {
        log("output of the broker killed in cycle " + cycle + ":\n" + killed.output());
        BrokerProcess broker = BrokerProcess.start(dataDir);
        try (RelaisClient client = connect(broker)) {
            Optional<QueueInfo> q = queue(client);
            assertThat(q).as("durable queue '%s' after restart %d; broker output:%n%s", QUEUE, cycle,
                    broker.output()).hasValueSatisfying(info -> assertThat(info.durable()).isTrue());
            log("restarted after cycle " + cycle + ": " + q.get());
        } catch (AssertionError | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Consumes until the queue is empty and every delivery acked. */
    private void drain(BrokerProcess broker) throws Exception {
        ledger.cycleStarts(0, sequence.get() + 1);
        try (RelaisClient client = connect(broker)) {
            ConsumerSession drain = ConsumerSession.subscribe(client, QUEUE, PREFETCH, "final drain", ledger,
                    DEADLINE);
            Duration timeout = DEADLINE.plusMillis(sequence.get() / 10);
            Poll.until("the final drain to empty '" + QUEUE + "'", timeout,
                    () -> queue(client).filter(q -> q.messages() == 0 && q.unacked() == 0).isPresent(),
                    () -> "queue: " + queue(client) + ", drained " + drain.received() + "; " + ledger.summary()
                            + "; missing so far: " + ledger.describe(ledger.confirmedButNeverDelivered())
                            + "; broker output:\n" + broker.output());
            drain.cancel(DEADLINE);
            log("drained " + drain.received() + " messages");
        }
    }

    private static Optional<QueueInfo> queue(RelaisClient client) {
        try {
            return client.listQueues().get(30, TimeUnit.SECONDS).stream()
                    .filter(q -> q.name().equals(QUEUE)).findFirst();
        } catch (Exception e) {
            throw new AssertionError("cannot list queues", e);
        }
    }

    private static RelaisClient connect(BrokerProcess broker) {
        // Each cycle uses new clients on the restarted broker (its port changes), so no reconnecting here.
        return RelaisClient.builder().server(broker.server()).reconnect(ReconnectPolicy.disabled()).connect();
    }

    private static void log(String text) {
        System.out.println("[crash] " + text);
    }

    /** {@code "1\n2\n...n\n"}. */
    private static String lines(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Where two texts first differ, with a few lines around it, or "" when equal. */
    private static String firstDifference(String actual, String expected) {
        String[] a = actual.split("\n", -1);
        String[] e = expected.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, e.length); i++) {
            String ai = i < a.length ? a[i] : "<end>";
            String ei = i < e.length ? e[i] : "<end>";
            if (!ai.equals(ei)) {
                return "line " + (i + 1) + ": expected '" + ei + "' but got '" + ai + "' (then: "
                        + String.join(" ", Arrays.copyOfRange(a, Math.min(i, a.length),
                                Math.min(i + 5, a.length))) + "); " + a.length + " lines in all";
            }
        }
        return "";
    }

    /** Runs {@code relais ARGS... --server <broker>} to completion and checks it exits 0. */
    private static CliProcess relais(BrokerProcess broker, String... args) {
        CliProcess p = CliProcess.run(withServer(broker, args));
        assertThat(p.exitCode()).as("relais %s: stderr:%n%s%nbroker output:%n%s", String.join(" ", args),
                p.stderr(), broker.output()).isZero();
        return p;
    }

    private static String[] withServer(BrokerProcess broker, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--server";
        all[args.length + 1] = broker.server();
        return all;
    }
}
