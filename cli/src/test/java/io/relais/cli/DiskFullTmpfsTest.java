package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.frame.QueueInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-full "Done when" of the reliability issue, on a real small file system: a broker in its own
 * process keeps its data on a 64 MiB tmpfs with {@code store.min-free-disk: 16MiB}; non-persistent and
 * then persistent messages are published with confirms into a durable queue until the broker refuses
 * them; the broker is killed (SIGKILL, or SIGTERM in the second variant) and started again on the full
 * disk, which it must survive (it starts with its disk alarm raised and refuses publishes); then the
 * tmpfs grows to 128 MiB and the broker starts once more. It must report the queue's depth as the
 * number of confirmed persistent messages, deliver exactly those (non-persistent ones are discarded by a
 * restart, as from memory; nothing else), accept publishes again, and print fewer than 100 lines in
 * all. The SIGTERM variant first measures, on its first broker, how soon publishes are accepted again
 * once a consumer has emptied a full disk, without a restart.
 *
 * <p>Mounting needs root ({@code mount -t tmpfs}); where it fails the tests are skipped with a message
 * that says so, and the broker module's {@code DiskFullFaultTest} covers the same write paths with the
 * {@code StoreFaults} seam and a controlled {@code DiskSpace}. Each test prints one {@link FaultSummary}
 * line. The default run fills the disk once per test with 16 KiB messages (about 3,000);
 * {@code -Drelais.faults.long=true} uses 1 KiB messages (about 48,000 publishes) instead.
 *
 * <p>Threads: the test thread drives; confirms and deliveries complete on the client's threads and
 * are gathered in concurrent collections.
 */
class DiskFullTmpfsTest {
    private static final String QUEUE = "dfq";
    private static final String KEY = "df.k";
    private static final int PAYLOAD = FaultSummary.longRun() ? 1024 : 16 * 1024;
    private static final int IN_FLIGHT = 256;
    private static final int NON_PERSISTENT = 12 * 1024 * 1024 / PAYLOAD;
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The ids of the messages that fill the disk before it is emptied again. */
    private static final int RECLAIM_IDS = 10_000_000;

    @TempDir
    Path work;

    @Test
    void shouldDeliverEveryConfirmedMessageWhenKilledOnAFullDiskAndRestartedBeforeAndAfterSpaceIsFreed()
            throws Exception {
        fullDiskSequence("disk-full/tmpfs-kill9", BrokerProcess::kill, false);
    }

    /**
     * The same with SIGTERM; first, on the same broker, the disk is filled with persistent messages and
     * emptied by a consumer, and the test measures how soon publishes are accepted again.
     */
    @Test
    void shouldAcceptPublishesSoonAfterConsumingAndDeliverEveryConfirmedMessageWhenStoppedOnAFullDisk()
            throws Exception {
        fullDiskSequence("disk-full/tmpfs-sigterm", BrokerProcess::stop, true);
    }

    private void fullDiskSequence(String kind, Consumer<BrokerProcess> end, boolean reclaimFirst) throws Exception {
        Path mount = mountTmpfs();
        List<BrokerProcess> brokers = new ArrayList<>();
        try {
            BrokerProcess broker = start(mount, brokers);
            Published p;
            try (RelaisClient client = connect(broker)) {
                declare(client);
                if (reclaimFirst) {
                    measureReclaim(client, brokers, broker);
                }
                p = publishUntilRefused(client, 1, NON_PERSISTENT, false);
            }
            assertThat(p.refused.get()).as("refused with DISK_FULL; %s; broker output:%n%s", p, broker.output())
                    .isPositive();
            assertThat(p.confirmedPersistent).as("confirmed persistent messages; %s", p).isNotEmpty();
            assertThat(p.otherFailures).as("failures other than DISK_FULL; %s", p).isEmpty();
            end.accept(broker);

            // Again on the full disk: it starts, with its alarm raised, and refuses publishes.
            broker = start(mount, brokers);
            int expected = p.confirmedPersistent.size();
            try (RelaisClient client = connect(broker)) {
                awaitDepth(client, broker, expected);
                assertThat(tryPublish(client)).as("publish on the full disk").isFalse();
            }
            end.accept(broker);

            remount(mount, "size=128m");
            broker = start(mount, brokers);
            Set<Integer> delivered;
            try (RelaisClient client = connect(broker)) {
                awaitDepth(client, broker, expected);
                delivered = drain(client, expected);
                assertThat(tryPublish(client)).as("publish after space was freed; broker output:%n%s",
                        broker.output()).isTrue();
            }
            broker.stop();
            Set<Integer> missing = new TreeSet<>(p.confirmedPersistent);
            missing.removeAll(delivered);
            Set<Integer> unexpected = new TreeSet<>(delivered);
            unexpected.removeAll(p.confirmedPersistent);
            long lines = lines(brokers);
            FaultSummary.report(kind, "published %d (%d non-persistent), confirmed %d persistent + %d non-persistent, "
                    + "refused %d, depth after restart %d, delivered after restart %d, lost %d, unexpected %d, "
                    + "log lines %d", p.published.get(), NON_PERSISTENT, expected, p.confirmedNonPersistent.get(),
                    p.refused.get(), expected, delivered.size(), missing.size(), unexpected.size(), lines);
            assertThat(missing).as("confirmed but not delivered").isEmpty();
            assertThat(unexpected).as("delivered but not a confirmed persistent message").isEmpty();
            assertThat(lines).as("log lines of the whole sequence:%n%s", outputs(brokers)).isLessThan(100);
        } finally {
            stopAll(brokers);
            unmount(mount);
        }
    }

    /**
     * Fills the disk with persistent messages until refused, consumes them all, and measures the time
     * until a publish is accepted again (the store deletes its settled files while the alarm is up).
     */
    private static void measureReclaim(RelaisClient client, List<BrokerProcess> brokers, BrokerProcess broker)
            throws Exception {
        Published p = publishUntilRefused(client, RECLAIM_IDS, 0, true);
        assertThat(p.refused.get()).as("refused with DISK_FULL; %s; broker output:%n%s", p, broker.output())
                .isPositive();
        Set<Integer> delivered = drain(client, p.confirmedPersistent.size());
        assertThat(delivered).isEqualTo(p.confirmedPersistent);
        long consumed = System.nanoTime();
        long acceptedAfter = -1;
        while (System.nanoTime() - consumed < TimeUnit.SECONDS.toNanos(90)) {
            if (tryPublish(client)) {
                acceptedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - consumed);
                break;
            }
            Thread.sleep(100);
        }
        FaultSummary.report("disk-full/tmpfs-reclaim", "published %d, confirmed %d, refused %d, consumed %d, "
                + "publishes accepted again %d ms after consuming, log lines %d", p.published.get(),
                p.confirmedPersistent.size(), p.refused.get(), delivered.size(), acceptedAfter, lines(brokers));
        assertThat(acceptedAfter).as("publishes accepted again within 10 s of consuming (-1: not in 90 s); broker "
                + "output:%n%s", broker.output()).isNotNegative().isLessThan(10_000);
        assertThat(drain(client, 1)).as("the publish that was accepted").containsExactly(0);
    }

    // ------------------------------------------------------------------ publishing and consuming

    /** What a publisher saw: ids of confirmed persistent messages (non-persistent ones are negative). */
    private static final class Published {
        final AtomicInteger published = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger confirmedNonPersistent = new AtomicInteger();
        final Set<Integer> confirmedPersistent = ConcurrentHashMap.newKeySet();
        final Set<String> otherFailures = ConcurrentHashMap.newKeySet();
        final AtomicInteger otherFailureCount = new AtomicInteger();

        @Override
        public String toString() {
            return "published " + published + ", confirmed " + confirmedPersistent.size() + " persistent and "
                    + confirmedNonPersistent + " non-persistent, refused " + refused + ", other failures "
                    + otherFailures;
        }
    }

    /**
     * Publishes {@code nonPersistent} non-persistent messages with ids from {@code firstId}, then
     * persistent ones (or, with {@code persistentOnly}, persistent ones only) until 100 are refused;
     * waits for every confirm.
     */
    private static Published publishUntilRefused(RelaisClient client, int firstId, int nonPersistent,
                                                 boolean persistentOnly) throws Exception {
        Published p = new Published();
        Semaphore window = new Semaphore(IN_FLIGHT);
        int limit = firstId + 1_000_000;
        for (int id = firstId; id <= limit && p.refused.get() + p.otherFailureCount.get() < 100; id++) {
            boolean persistent = persistentOnly || id >= firstId + nonPersistent;
            window.acquire();
            int n = id;
            p.published.incrementAndGet();
            client.publishConfirmed(message(n, persistent)).whenComplete((ok, e) -> {
                if (e == null) {
                    if (persistent) {
                        p.confirmedPersistent.add(n);
                    } else {
                        p.confirmedNonPersistent.incrementAndGet();
                    }
                } else {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RelaisException re && re.code() == ErrorCode.DISK_FULL) {
                        p.refused.incrementAndGet();
                    } else {
                        p.otherFailures.add(cause.toString());
                        p.otherFailureCount.incrementAndGet();
                    }
                }
                window.release();
            });
        }
        assertThat(window.tryAcquire(IN_FLIGHT, DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                .as("every confirm within %s; %s", DEADLINE, p).isTrue();
        return p;
    }

    private static Message message(int id, boolean persistent) {
        byte[] payload = new byte[PAYLOAD];
        Arrays.fill(payload, (byte) 'z');
        byte[] head = String.format("%s%09d", persistent ? "p" : "n", id).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, payload, 0, head.length);
        return Message.builder(KEY).persistent(persistent).payload(payload).build();
    }

    /**
     * One persistent publish with confirm to the queue, as message 0: true if acked, false if refused
     * with DISK_FULL. (A later drain that sees message 0 reports it as unexpected.)
     */
    private static boolean tryPublish(RelaisClient client) throws Exception {
        CompletableFuture<Void> f = client.publishConfirmed(message(0, true));
        try {
            f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RelaisException re && re.code() == ErrorCode.DISK_FULL) {
                return false;
            }
            throw e;
        }
    }

    /** Consumes with manual acks until {@code expected} arrived and the queue is empty; returns the ids. */
    private static Set<Integer> drain(RelaisClient client, int expected) throws Exception {
        Set<Integer> got = ConcurrentHashMap.newKeySet();
        Set<String> strange = ConcurrentHashMap.newKeySet();
        Subscription s = client.subscribeQueue(QUEUE, SubscribeOptions.defaults().manualAck(true).prefetch(200),
                (Delivery d) -> {
                    String body = new String(d.payload(), 0, 10, StandardCharsets.US_ASCII);
                    if (body.charAt(0) == 'p') {
                        got.add(Integer.parseInt(body.substring(1)));
                    } else {
                        strange.add(body);
                    }
                    d.ack();
                }).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        Poll.until("drain of " + expected + " messages", DEADLINE, () -> got.size() + strange.size() >= expected
                && queue(client).filter(q -> q.messages() == 0 && q.unacked() == 0).isPresent(),
                () -> "received " + got.size() + ", strange " + strange + ", queue " + queue(client));
        s.cancel().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(strange).as("deliveries that are not persistent messages of this test").isEmpty();
        return got;
    }

    private static void awaitDepth(RelaisClient client, BrokerProcess broker, int expected) {
        Poll.until("queue depth " + expected, Duration.ofSeconds(10),
                () -> queue(client).filter(q -> q.messages() == expected).isPresent(),
                () -> "queue " + queue(client) + "; broker output:\n" + broker.output());
    }

    private static Optional<QueueInfo> queue(RelaisClient client) {
        try {
            return client.listQueues().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .filter(q -> q.name().equals(QUEUE)).findFirst();
        } catch (Exception e) {
            throw new AssertionError("cannot list queues", e);
        }
    }

    private static void declare(RelaisClient client) throws Exception {
        client.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).get(DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
        client.bind(QUEUE, "", "df.k").get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static RelaisClient connect(BrokerProcess broker) {
        return RelaisClient.builder().server(broker.server()).reconnect(ReconnectPolicy.disabled()).connect();
    }

    // ------------------------------------------------------------------ brokers and the tmpfs

    private BrokerProcess start(Path mount, List<BrokerProcess> brokers) throws IOException {
        Path config = work.resolve("relais.yaml");
        if (!Files.exists(config)) {
            Files.writeString(config, "store:\n  min-free-disk: 16MiB\n");
        }
        BrokerProcess b = BrokerProcess.start(mount.resolve("data"), List.of("--config", config.toString()));
        brokers.add(b);
        return b;
    }

    private static long lines(List<BrokerProcess> brokers) {
        return brokers.stream().mapToLong(BrokerProcess::lineCount).sum();
    }

    private static String outputs(List<BrokerProcess> brokers) {
        StringBuilder all = new StringBuilder();
        for (BrokerProcess b : brokers) {
            all.append("--- ").append(b).append('\n').append(b.output());
        }
        return all.toString();
    }

    private static void stopAll(List<BrokerProcess> brokers) {
        for (BrokerProcess b : brokers) {
            b.close();
        }
        System.out.println("[disk-full] broker output:\n" + outputs(brokers));
    }

    /** Mounts a 64 MiB tmpfs under the test's directory, or skips the test saying why. */
    private Path mountTmpfs() throws Exception {
        Path mount = work.resolve("small");
        Files.createDirectories(mount);
        String result = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString());
        assumeTrue(result.isEmpty(), "cannot mount a 64 MiB tmpfs (" + result + "); this needs root. The same write "
                + "paths are covered without it by the broker's DiskFullFaultTest (StoreFaults seam, controlled "
                + "DiskSpace)");
        return mount;
    }

    private static void remount(Path mount, String options) throws Exception {
        String result = run("mount", "-o", "remount," + options, mount.toString());
        assertThat(result).as("remount %s", options).isEmpty();
    }

    private static void unmount(Path mount) throws Exception {
        String result = run("umount", mount.toString());
        if (!result.isEmpty()) {
            result = run("umount", "-l", mount.toString());
        }
        assertThat(result).as("umount %s", mount).isEmpty();
    }

    /** Runs a command; "" if it exited 0, else its exit status and output. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + ": still running after 30 s";
        }
        return p.exitValue() == 0 ? "" : String.join(" ", command) + ": exit status " + p.exitValue() + ": " + out;
    }
}
