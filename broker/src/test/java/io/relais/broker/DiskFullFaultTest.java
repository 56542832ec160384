package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.config.ConfigException;
import io.relais.broker.store.StoreException;
import io.relais.broker.store.StoreFaults;
import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.frame.QueueInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection suite's disk-full and disk-fault cases without a small file system: each write
 * path of a durable queue fails through the {@link StoreFaults} seam (an {@link InternalError}, which
 * is what a write onto a memory-mapped page the disk cannot back becomes; a {@link StoreException} for
 * the definitions file, which is written with plain writes), or the disk is made to look nearly full
 * ({@link StoreFaults#freeSpace}). After each the broker restarts on the same data, without the fault,
 * and the test checks that every confirmed message that was not acknowledged before the fault is
 * delivered, and nothing that was not confirmed. Each test prints one {@link FaultSummary} line; the
 * cli module's {@code DiskFullTmpfsTest} runs the same on a real 64 MiB tmpfs.
 *
 * <p>Threads: the test thread drives; the faults are flipped by the test and read on store threads.
 */
class DiskFullFaultTest {
    private static final String QUEUE = "fq";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final long MIB = 1L << 20;
    private static final int MESSAGES = FaultSummary.rounds(300, 3000);

    /** Faults the test turns on and off; every hook counts its calls. */
    private static final class Faults implements StoreFaults {
        volatile boolean append;
        volatile boolean settle;
        volatile boolean checkpoint;
        volatile boolean definitions;
        /** Free bytes the stores are told, or -1 for what the disk reports. */
        volatile long free = -1;
        final AtomicInteger settles = new AtomicInteger();
        final AtomicInteger checkpoints = new AtomicInteger();

        @Override
        public void beforeSync(String queue) {
        }

        @Override
        public void beforeAppend(String queue) {
            if (append) {
                throw mappedFault();
            }
        }

        @Override
        public void beforeSettle(String queue) {
            settles.incrementAndGet();
            if (settle) {
                throw mappedFault();
            }
        }

        @Override
        public void beforeCheckpoint(String queue) {
            checkpoints.incrementAndGet();
            if (checkpoint) {
                throw mappedFault();
            }
        }

        @Override
        public void beforeDefinitionsSave() {
            if (definitions) {
                throw new StoreException("injected: No space left on device (an I/O error of the save)");
            }
        }

        @Override
        public long freeSpace(long reported) {
            long f = free;
            return f >= 0 ? f : reported;
        }

        void clear() {
            append = false;
            settle = false;
            checkpoint = false;
            definitions = false;
            free = -1;
        }

        private static InternalError mappedFault() {
            return new InternalError("a fault occurred in a recent unsafe memory access operation (injected)");
        }
    }

    private final Faults faults = new Faults();
    private BrokerFixture fixture;

    private void start() {
        fixture = new BrokerFixture(c -> c, faults);
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            faults.clear();
            fixture.close();
        }
    }

    @Test
    void shouldDeliverEveryConfirmedMessageWhenAnAppendFaults() throws Exception {
        start();
        RelaisClient c = declared();
        Outcome before = publish(c, 1, MESSAGES, true);
        faults.append = true;
        Outcome during = publish(c, MESSAGES + 1, MESSAGES + 100, true);
        faults.clear();
        Outcome after = publish(c, MESSAGES + 101, MESSAGES + 110, true);
        fixture.restart();

        Set<Integer> delivered = drain(fixture.client());
        assertThat(before.confirmed).hasSize(MESSAGES);
        assertThat(during.confirmed).as("nothing confirmed once the store failed").isEmpty();
        assertThat(during.failures).containsOnlyKeys(ErrorCode.STORE_FAILED);
        assertThat(after.confirmed).as("the store stays failed until the broker restarts").isEmpty();
        assertThat(delivered).isEqualTo(before.confirmed);
        assertThat(publish(fixture.client(), 0, 0, true).confirmed).as("a healthy store after the restart")
                .containsExactly(0);
        report("disk-full/seam-append", before, during.plus(after), delivered, before.confirmed);
    }

    @Test
    void shouldRedeliverOnlyUnrecordedSettlementsWhenASettleRecordFaults() throws Exception {
        start();
        RelaisClient c = declared();
        Outcome published = publish(c, 1, MESSAGES, true);
        int third = MESSAGES / 3;
        consume(c, third, () -> faults.settles.get() >= third);
        faults.settle = true;
        consume(c, third, () -> true);
        Poll.until("the settle fault", () -> faults.settles.get() > third);
        faults.clear();
        fixture.restart();

        Set<Integer> delivered = drain(fixture.client());
        Set<Integer> expected = range(third + 1, MESSAGES);
        assertThat(delivered).as("acked before the fault: gone; after it: back (at least once)").isEqualTo(expected);
        report("disk-full/seam-settle", published, Outcome.NONE, delivered, expected);
    }

    @Test
    void shouldRedeliverOnlyUnrecordedSettlementsWhenACheckpointFaults() throws Exception {
        start();
        RelaisClient c = declared();
        Outcome published = publish(c, 1, MESSAGES, true);
        int third = MESSAGES / 3;
        consume(c, third, () -> faults.settles.get() >= third);
        faults.checkpoint = true;
        int checkpointsBefore = faults.checkpoints.get();
        // The floor moves, so the next maintenance (once a second) writes a checkpoint, which faults;
        // the acks recorded before it stay recorded, those after it are not.
        consume(c, third, () -> faults.checkpoints.get() > checkpointsBefore);
        faults.clear();
        fixture.restart();

        Set<Integer> delivered = drain(fixture.client());
        Set<Integer> atMost = range(third + 1, MESSAGES);
        Set<Integer> atLeast = range(2 * third + 1, MESSAGES);
        assertThat(atMost).as("acked before the fault: gone").containsAll(delivered);
        assertThat(delivered).as("never acked: back").containsAll(atLeast);
        report("disk-full/seam-checkpoint", published, Outcome.NONE, delivered, delivered);
    }

    @Test
    void shouldKeepTheLastSavedDefinitionsWhenADefinitionsSaveFails() throws Exception {
        start();
        RelaisClient c = declared();
        Outcome published = publish(c, 1, MESSAGES, true);
        faults.definitions = true;
        CompletableFuture<?> declare = c.declareQueue(QueueDeclaration.named("fq2").durable(true));
        assertThat(code(declare)).isEqualTo(ErrorCode.STORE_FAILED);
        assertThat(code(c.deleteQueue(QUEUE, false, false))).isEqualTo(ErrorCode.STORE_FAILED);
        Outcome during = publish(c, MESSAGES + 1, MESSAGES + 10, true);
        faults.clear();
        fixture.restart();

        RelaisClient again = fixture.client();
        List<String> names = again.listQueues().get(10, TimeUnit.SECONDS).stream().map(QueueInfo::name).toList();
        assertThat(names).contains(QUEUE).doesNotContain("fq2");
        Set<Integer> delivered = drain(again);
        Set<Integer> expected = new TreeSet<>(published.confirmed);
        expected.addAll(during.confirmed);
        assertThat(during.confirmed).as("messages are not definitions: still stored").hasSize(10);
        assertThat(delivered).isEqualTo(expected);
        report("disk-full/seam-definitions", published.plus(during), Outcome.NONE, delivered, expected);
    }

    @Test
    void shouldRefuseEveryPublishToADurableQueueAndKeepSettlingWhenTheDiskIsNearlyFull() throws Exception {
        start(); // store.min-free-disk 100 MiB: messages stop at 50 MiB, settles at 25 MiB
        RelaisClient c = declared();
        Outcome before = publish(c, 1, MESSAGES, true);
        c.declareQueue(QueueDeclaration.named("alarm-probe").durable(true)).get(10, TimeUnit.SECONDS);
        c.bind("alarm-probe", "", "probe").get(10, TimeUnit.SECONDS);
        faults.free = 60 * MIB;
        Poll.until("the disk alarm", () -> code(c.publishConfirmed(Message.builder("probe").payload("?").build()))
                == ErrorCode.DISK_FULL);
        Outcome refused = publish(c, MESSAGES + 1, MESSAGES + 50, true).plus(publish(c, MESSAGES + 51,
                MESSAGES + 100, false));
        int third = MESSAGES / 3;
        int settlesBefore = faults.settles.get();
        consume(c, third, () -> faults.settles.get() >= settlesBefore + third);
        faults.free = 20 * MIB; // below the last reserve: settlements stay in memory
        Thread.sleep(300);
        consume(c, third, () -> true);
        fixture.restart(); // still 20 MiB free: starts read-only
        Set<Integer> readOnly = drain(fixture.client());
        // Space comes back only once the read-only broker has stopped: had it seen the space while
        // closing, it would rightly have recorded the acks of the drain then.
        fixture.restart(faults::clear);

        Set<Integer> delivered = drain(fixture.client());
        Set<Integer> expected = range(third + 1, MESSAGES);
        assertThat(refused.confirmed).as("persistent and non-persistent, refused").isEmpty();
        assertThat(refused.failures).containsOnlyKeys(ErrorCode.DISK_FULL);
        assertThat(readOnly).as("read-only start: delivers what is on disk").isEqualTo(expected);
        assertThat(delivered).as("acks recorded above the last reserve: gone; below it: back").isEqualTo(expected);
        assertThat(publish(fixture.client(), 0, 0, true).confirmed).as("space is back").containsExactly(0);
        report("disk-full/seam-nearly-full", before, refused, delivered, expected);
    }

    @Test
    void shouldRefuseToStartWithOneLineNamingTheDataDirectoryWhenTheDiskIsFull() throws Exception {
        start();
        RelaisClient c = declared();
        Outcome published = publish(c, 1, 20, true);
        fixture.broker().close();
        faults.free = 512 * 1024;
        assertThatThrownBy(() -> Broker.start(fixture.config(), faults)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(fixture.dataDir().toString()).hasMessageContaining("512 KiB free")
                .hasMessageContaining("at least 1 MiB").hasMessageNotContaining("\n");
        faults.clear();
        fixture.restart();
        Set<Integer> delivered = drain(fixture.client());
        assertThat(delivered).isEqualTo(published.confirmed);
        report("disk-full/seam-start-full", published, Outcome.NONE, delivered, published.confirmed);
    }

    // ------------------------------------------------------------------ helpers

    /** Confirmed ids and refusals by code of one run of publishes. */
    private record Outcome(Set<Integer> confirmed, Map<ErrorCode, Integer> failures) {
        static final Outcome NONE = new Outcome(Set.of(), Map.of());

        Outcome plus(Outcome o) {
            Set<Integer> all = new TreeSet<>(confirmed);
            all.addAll(o.confirmed);
            Map<ErrorCode, Integer> f = new ConcurrentHashMap<>(failures);
            o.failures.forEach((k, v) -> f.merge(k, v, Integer::sum));
            return new Outcome(all, f);
        }

        int refused() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private RelaisClient declared() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).get(10, TimeUnit.SECONDS);
        c.bind(QUEUE, "", "f.#").get(10, TimeUnit.SECONDS);
        return c;
    }

    private static Message message(int id, boolean persistent) {
        return Message.builder("f.k").persistent(persistent).payload(Integer.toString(id)).build();
    }

    /** Publishes ids {@code from..to} with confirms and waits for every confirm. */
    private static Outcome publish(RelaisClient c, int from, int to, boolean persistent) throws Exception {
        Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
        Map<ErrorCode, Integer> failures = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            int n = id;
            all.add(c.publishConfirmed(message(n, persistent)).whenComplete((ok, e) -> {
                if (e == null) {
                    confirmed.add(n);
                } else {
                    failures.merge(codeOf(e), 1, Integer::sum);
                }
            }).exceptionally(e -> null));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return new Outcome(new TreeSet<>(confirmed), Map.copyOf(failures));
    }

    private static ErrorCode code(CompletableFuture<?> f) {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return codeOf(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ErrorCode codeOf(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof RelaisException)) {
            t = t.getCause();
        }
        if (t == null) {
            throw new AssertionError("not a broker refusal", e);
        }
        return ((RelaisException) t).code();
    }

    /**
     * Consumes and acknowledges {@code n} messages in one subscription, then waits until the broker
     * has them as acknowledged and {@code recorded} holds.
     */
    private static void consume(RelaisClient c, int n, BooleanSupplier recorded) throws Exception {
        AtomicInteger got = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Subscription s = c.subscribeQueue(QUEUE, SubscribeOptions.defaults().manualAck(true).prefetch(1),
                (Delivery d) -> {
                    if (got.get() < n) {
                        d.ack();
                        if (got.incrementAndGet() == n) {
                            done.complete(null);
                        }
                    } else {
                        d.nack(true);
                    }
                }).get(10, TimeUnit.SECONDS);
        done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        s.cancel().get(10, TimeUnit.SECONDS);
        Poll.until("acks of " + n + " messages processed", () -> queue(c).map(q -> q.unacked() == 0).orElse(false)
                && recorded.getAsBoolean());
    }

    /** Consumes and acknowledges everything in the queue; returns the ids. */
    private static Set<Integer> drain(RelaisClient c) throws Exception {
        Set<Integer> got = new TreeSet<>();
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger twice = new AtomicInteger();
        Subscription s = c.subscribeQueue(QUEUE, SubscribeOptions.defaults().manualAck(true).prefetch(100),
                (Delivery d) -> {
                    if (!seen.add(Integer.parseInt(d.payloadAsString()))) {
                        twice.incrementAndGet();
                    }
                    d.ack();
                }).get(10, TimeUnit.SECONDS);
        Poll.until("the queue to be drained", () -> queue(c).map(q -> q.messages() == 0 && q.unacked() == 0)
                .orElse(false));
        s.cancel().get(10, TimeUnit.SECONDS);
        got.addAll(seen);
        assertThat(twice.get()).as("delivered twice in one run").isZero();
        return got;
    }

    private static Optional<QueueInfo> queue(RelaisClient c) {
        try {
            return c.listQueues().get(10, TimeUnit.SECONDS).stream().filter(q -> q.name().equals(QUEUE)).findFirst();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Set<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    private static void report(String kind, Outcome published, Outcome refused, Set<Integer> delivered,
                               Set<Integer> expected) {
        Set<Integer> lost = new TreeSet<>(expected);
        lost.removeAll(delivered);
        Set<Integer> unexpected = new TreeSet<>(delivered);
        unexpected.removeAll(expected);
        FaultSummary.report(kind, "confirmed %d, refused %d %s, expected after restart %d, delivered %d, lost %d, "
                + "unexpected %d", published.confirmed.size(), refused.refused(), refused.failures.keySet(),
                expected.size(), delivered.size(), lost.size(), unexpected.size());
    }

    /** Polls a condition every 20 ms for at most {@link #DEADLINE}. */
    private static final class Poll {
        static void until(String what, BooleanSupplier condition) {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for " + what);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
