package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.relais.broker.core.Reason;
import io.relais.broker.core.queue.DeliverySink;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueArguments;
import io.relais.broker.core.queue.QueueConsumer;
import io.relais.broker.core.queue.TestLoop;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-behind in {@link StoredBacklog}: a message delivered from memory and settled before its write is
 * never written and is confirmed at the settlement; one given back before its write is written later, in
 * its place; the oldest are written at once beyond the byte bound; a failed write is answered; and after a
 * crash (the store's files copied while it is open, as {@code kill -9} leaves them) every confirmed message
 * that was not acknowledged comes back, flagged as possibly delivered.
 *
 * <p>Payloads are pooled direct buffers and {@link LeakCheck} fails a test that leaks one: the store thread's
 * reference for the write and the queue's are each released once, whichever of the write and the
 * settlement comes first.
 *
 * <p>Threads: the test thread drives; the queue runs on a {@link TestLoop}, the store on one store thread.
 */
@ExtendWith(LeakCheck.class)
class WriteBehindBacklogTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;
    private final TestLoop loop = new TestLoop();
    private final AtomicInteger appends = new AtomicInteger();
    private volatile boolean appendFaults;
    private final AtomicInteger syncs = new AtomicInteger();
    private final StoreFaults faults = new StoreFaults() {
        @Override
        public void beforeSync(String queue) {
            syncs.incrementAndGet();
        }

        @Override
        public void beforeAppend(String queue) {
            appends.incrementAndGet();
            if (appendFaults) {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation (injected)");
            }
        }
    };
    private final StoreThreads threads = new StoreThreads(1, faults);
    /** Every consumer made, so that what they kept is released at the end. */
    private final List<Consumer> sinks = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService storeThread = threads.next();

    private static final MessageQueue.Listener NO_LISTENER = new MessageQueue.Listener() {
        @Override
        public CompletableFuture<?> unused(MessageQueue queue) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void deadLetter(String exchange, String routingKey, Message message) {
            message.release();
        }
    };

    /** Records every delivery; acknowledges those {@code acks} accepts at once, keeps the others. */
    private static final class Consumer implements DeliverySink {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<Boolean> redelivered = new CopyOnWriteArrayList<>();
        final List<Message> kept = new CopyOnWriteArrayList<>();
        private final Predicate<String> acks;

        Consumer(Predicate<String> acks) {
            this.acks = acks;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void deliver(QueueConsumer consumer, Message message, boolean redelivery) {
            String body = WireMessage.of(message).payload().toString(StandardCharsets.UTF_8);
            bodies.add(body);
            redelivered.add(redelivery);
            if (acks.test(body)) {
                consumer.settled(1);
                consumer.queue().acked(List.of(message));
            } else {
                kept.add(message);
            }
        }

        @Override
        public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        }
    }

    @AfterEach
    void stop() throws Exception {
        // What the store thread handed the loop last (a read batch after a close, released there) runs first.
        settleStoreThread();
        loop.close();
        threads.close();
        for (Consumer c : sinks) {
            for (Message m : c.kept) {
                m.release();
            }
        }
    }

    private MessageQueue open(Path storeDir, WriteBehind writeBehind) {
        return open(storeDir, writeBehind, QueueArguments.NONE, NO_LISTENER);
    }

    private MessageQueue open(Path storeDir, WriteBehind writeBehind, QueueArguments arguments,
                              MessageQueue.Listener listener) {
        return open(storeDir, FsyncPolicy.DEFAULT, writeBehind, arguments, listener);
    }

    private MessageQueue open(Path storeDir, FsyncPolicy fsync, WriteBehind writeBehind, QueueArguments arguments,
                              MessageQueue.Listener listener) {
        MessageStore store = MessageStore.open(storeDir, "q", fsync, DiskSpace.unlimited(), faults);
        StoredBacklog backlog = new StoredBacklog("q", store, storeThread, fsync, writeBehind, faults);
        return new MessageQueue("/", "q", true, false, false, arguments, null, loop, listener, backlog,
                FlowLimits.DEFAULTS);
    }

    private static WireMessage message(String body) {
        return message(body, true);
    }

    private static WireMessage message(String body, boolean persistent) {
        // Pooled and direct, as a network read's, so that the leak check sees every reference the backlog keeps.
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer();
        payload.writeCharSequence(body, StandardCharsets.UTF_8);
        return new WireMessage("", "k", Properties.EMPTY, persistent, payload, System.currentTimeMillis());
    }

    private QueueConsumer consume(MessageQueue q, Consumer sink, int prefetch) {
        sinks.add(sink);
        QueueConsumer c = new QueueConsumer(q, sink, 1, true, prefetch, false);
        q.addConsumer(c).join();
        c.start();
        return c;
    }

    /** Enqueues {@code body} and returns its confirm: true once stored or settled. */
    private static CompletableFuture<Boolean> publish(MessageQueue q, String body) {
        CompletableFuture<Boolean> confirm = new CompletableFuture<>();
        assertThat(q.enqueue(message(body), confirm::complete)).isTrue();
        return confirm;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** Waits until the store thread has run every task given to it so far. */
    private void settleStoreThread() throws Exception {
        loop.drain();
        storeThread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        loop.drain();
    }

    /** The store's files as a {@code kill -9} would leave them now, copied to a directory of their own. */
    private Path crashCopy(Path storeDir) throws Exception {
        settleStoreThread();
        Path copy = dir.resolve("crashed-" + System.nanoTime());
        CompletableFuture<Void> copied = new CompletableFuture<>();
        // On the store thread, so that no write of the store is half done while the files are copied.
        storeThread.execute(() -> {
            try (Stream<Path> files = Files.walk(storeDir)) {
                for (Path p : files.toList()) {
                    Path to = copy.resolve(storeDir.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
                copied.complete(null);
            } catch (IOException | RuntimeException e) {
                copied.completeExceptionally(e);
            }
        });
        copied.get(10, TimeUnit.SECONDS);
        return copy;
    }

    private static List<String> range(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void shouldNeverWriteAMessageAcknowledgedBeforeItsWriteAndConfirmItAtTheAcknowledgement() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofSeconds(30), 64 * MIB));
        Consumer sink = new Consumer(body -> true);
        consume(q, sink, 100);
        // The first message finds no consumer that took one lately: written and read back, as without write-behind.
        assertThat(publish(q, "m0").get(10, TimeUnit.SECONDS)).isTrue();
        await("m0", () -> sink.bodies.size() == 1);
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            confirms.add(publish(q, "m" + i));
        }
        for (CompletableFuture<Boolean> c : confirms) {
            assertThat(c.get(10, TimeUnit.SECONDS)).as("confirmed at the ack, long before the 30 s delay").isTrue();
        }
        await("every delivery", () -> sink.bodies.size() == 201);
        settleStoreThread();

        assertThat(sink.bodies).containsExactlyElementsOf(range("m", 0, 200));
        assertThat(sink.redelivered).containsOnly(false);
        assertThat(appends.get()).as("only m0 was written").isEqualTo(1);
        assertThat(q.messageCount()).isZero();
        Path crashed = crashCopy(storeDir);
        q.close().join();
        assertThat(appends.get()).as("a clean close writes nothing acknowledged").isEqualTo(1);

        MessageQueue reopened = open(storeDir, WriteBehind.OFF);
        assertThat(reopened.messageCount()).isZero();
        reopened.close().join();
        MessageQueue afterCrash = open(crashed, WriteBehind.OFF);
        assertThat(afterCrash.messageCount()).isZero();
        afterCrash.close().join();
    }

    @Test
    void shouldWriteAMessageGivenBackBeforeItsWriteLaterAndDeliverItAgainInItsPlace() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofSeconds(2), 64 * MIB));
        Consumer first = new Consumer(body -> false);
        QueueConsumer c1 = consume(q, first, 100);
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        confirms.add(publish(q, "m0"));
        await("m0", () -> first.bodies.size() == 1);
        for (int i = 1; i <= 5; i++) {
            confirms.add(publish(q, "m" + i));
        }
        await("m1 to m5", () -> first.bodies.size() == 6);
        settleStoreThread();
        assertThat(appends.get()).as("m1 to m5 are delivered from memory, not written yet").isEqualTo(1);
        assertThat(confirms.subList(1, 6)).as("not confirmed: neither written nor acknowledged").noneMatch(
                CompletableFuture::isDone);

        // The consumer goes away: its deliveries come back, unwritten ones included.
        q.removeConsumer(c1).join();
        q.requeue(new ArrayList<>(first.kept), () -> { });
        first.kept.clear();
        for (CompletableFuture<Boolean> c : confirms) {
            assertThat(c.get(10, TimeUnit.SECONDS)).as("confirmed once written, after the delay").isTrue();
        }
        settleStoreThread();
        assertThat(appends.get()).as("written after the delay, once each").isEqualTo(6);

        Consumer second = new Consumer(body -> false);
        consume(q, second, 100);
        await("the redeliveries", () -> second.bodies.size() == 6);
        confirms.add(publish(q, "m6"));
        await("m6", () -> second.bodies.size() == 7);
        assertThat(second.bodies).containsExactlyElementsOf(range("m", 0, 6));
        assertThat(second.redelivered).containsExactly(true, true, true, true, true, true, false);
        assertThat(confirms.get(6).get(10, TimeUnit.SECONDS)).isTrue();

        Path crashed = crashCopy(storeDir);
        q.close().join();
        MessageQueue afterCrash = open(crashed, WriteBehind.OFF);
        assertThat(afterCrash.messageCount()).isEqualTo(7);
        Consumer third = new Consumer(body -> true);
        consume(afterCrash, third, 100);
        await("every message after the crash", () -> third.bodies.size() == 7);
        assertThat(third.bodies).as("in arrival order").containsExactlyElementsOf(range("m", 0, 6));
        assertThat(third.redelivered).as("each may have reached a consumer").containsOnly(true);
        afterCrash.close().join();
    }

    @Test
    void shouldRedeliverAfterACrashEveryConfirmedMessageThatWasNotAcknowledged() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofMillis(300), 64 * MIB));
        // Even numbers are acknowledged at once, odd ones kept.
        Consumer sink = new Consumer(body -> Integer.parseInt(body.substring(1)) % 2 == 0);
        consume(q, sink, 1000);
        int n = 300;
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        confirms.add(publish(q, "m0"));
        await("m0", () -> sink.bodies.size() == 1);
        for (int i = 1; i < n; i++) {
            confirms.add(publish(q, "m" + i));
        }
        for (CompletableFuture<Boolean> c : confirms) {
            assertThat(c.get(10, TimeUnit.SECONDS)).isTrue();
        }
        await("every delivery", () -> sink.bodies.size() == n);
        assertThat(sink.bodies).containsExactlyElementsOf(range("m", 0, n - 1));
        settleStoreThread();
        assertThat(appends.get()).as("the kept ones were written, and m0, which was not held").isEqualTo(n / 2 + 1);

        Path crashed = crashCopy(storeDir);
        MessageQueue afterCrash = open(crashed, WriteBehind.OFF);
        Consumer after = new Consumer(body -> true);
        consume(afterCrash, after, 1000);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < n; i += 2) {
            expected.add("m" + i);
        }
        await("the unacknowledged messages", () -> after.bodies.size() == expected.size());
        settleStoreThread();
        assertThat(after.bodies).as("every confirmed message not acknowledged, nothing else")
                .containsExactlyElementsOf(expected);
        assertThat(after.redelivered).containsOnly(true);
        afterCrash.close().join();
        q.close().join();
    }

    @Test
    void shouldWriteTheOldestHeldMessagesAtOnceBeyondTheByteBound() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofSeconds(30), 8));
        Consumer sink = new Consumer(body -> false);
        consume(q, sink, 100);
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        confirms.add(publish(q, "m0"));
        await("m0", () -> sink.bodies.size() == 1);
        for (int i = 1; i <= 20; i++) {
            confirms.add(publish(q, "m" + i));
        }
        for (CompletableFuture<Boolean> c : confirms) {
            assertThat(c.get(10, TimeUnit.SECONDS)).as("written at once past 8 bytes, not after 30 s").isTrue();
        }
        await("every delivery", () -> sink.bodies.size() == 21);
        assertThat(sink.bodies).containsExactlyElementsOf(range("m", 0, 20));
        Path crashed = crashCopy(storeDir);
        q.close().join();
        MessageQueue afterCrash = open(crashed, WriteBehind.OFF);
        assertThat(afterCrash.messageCount()).isEqualTo(21);
        afterCrash.close().join();
    }

    @Test
    void shouldNackAndDropAHeldMessageWhoseWriteFailsBeforeItIsDelivered() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofMillis(300), 64 * MIB));
        // Prefetch 1, never acknowledged: m0 is delivered, m1 to m3 wait in the read-ahead, held.
        Consumer sink = new Consumer(body -> false);
        consume(q, sink, 1);
        CompletableFuture<Boolean> m0 = publish(q, "m0");
        await("m0", () -> sink.bodies.size() == 1);
        List<CompletableFuture<Boolean>> held = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            held.add(publish(q, "m" + i));
        }
        settleStoreThread();
        appendFaults = true;
        for (CompletableFuture<Boolean> c : held) {
            assertThat(c.get(10, TimeUnit.SECONDS)).as("its write failed: nacked").isFalse();
        }
        settleStoreThread();
        assertThat(m0.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(q.messageCount()).as("the refused messages left the queue").isZero();
        assertThat(sink.bodies).containsExactly("m0");
        appendFaults = false;
        Path crashed = crashCopy(storeDir);
        q.close().join();
        MessageQueue afterCrash = open(crashed, WriteBehind.OFF);
        assertThat(afterCrash.messageCount()).as("m0 only").isEqualTo(1);
        afterCrash.close().join();
    }

    @Test
    void shouldDeadLetterAMessageRejectedBeforeItsWriteAndConfirmItWithoutWritingIt() throws Exception {
        Path storeDir = dir.resolve("q");
        List<String> deadLettered = new CopyOnWriteArrayList<>();
        MessageQueue.Listener dlx = new MessageQueue.Listener() {
            @Override
            public CompletableFuture<?> unused(MessageQueue queue) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void deadLetter(String exchange, String routingKey, Message message) {
                deadLettered.add(exchange + ":" + WireMessage.of(message).payload().toString(StandardCharsets.UTF_8));
                message.release();
            }
        };
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofSeconds(30), 64 * MIB),
                QueueArguments.parse(Map.of(QueueArguments.DEAD_LETTER_EXCHANGE, "dlx")), dlx);
        Consumer sink = new Consumer(body -> body.equals("m0"));
        QueueConsumer c = consume(q, sink, 100);
        assertThat(publish(q, "m0").get(10, TimeUnit.SECONDS)).isTrue();
        await("m0", () -> sink.bodies.size() == 1);
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            confirms.add(publish(q, "m" + i));
        }
        await("m1 to m10", () -> sink.kept.size() == 10);
        List<Message> rejected = new ArrayList<>(sink.kept);
        sink.kept.clear();
        c.settled(rejected.size());
        q.rejected(rejected);
        for (CompletableFuture<Boolean> f : confirms) {
            assertThat(f.get(10, TimeUnit.SECONDS)).as("settled by the dead-lettering, before the 30 s delay").isTrue();
        }
        settleStoreThread();
        assertThat(deadLettered).containsExactlyElementsOf(range("dlx:m", 1, 10));
        assertThat(appends.get()).as("only m0 was written").isEqualTo(1);
        assertThat(q.messageCount()).isZero();
        q.close().join();
    }

    @Test
    void shouldNeverWriteNonPersistentMessagesTakenByAnAutomaticAckConsumer() throws Exception {
        Path storeDir = dir.resolve("q");
        MessageQueue q = open(storeDir, new WriteBehind(Duration.ofSeconds(30), 64 * MIB));
        List<String> bodies = new CopyOnWriteArrayList<>();
        DeliverySink autoAck = new DeliverySink() {
            @Override
            public boolean isWritable() {
                return true;
            }

            @Override
            public void deliver(QueueConsumer consumer, Message message, boolean redelivered) {
                bodies.add(WireMessage.of(message).payload().toString(StandardCharsets.UTF_8));
                message.release();
                consumer.settled(1);
            }

            @Override
            public void cancelled(QueueConsumer consumer, Reason reason, String message) {
            }
        };
        QueueConsumer c = new QueueConsumer(q, autoAck, 1, false, 0, false);
        q.addConsumer(c).join();
        c.start();
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        q.enqueue(message("t0", false), first::complete);
        assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
        await("t0", () -> bodies.size() == 1);
        List<CompletableFuture<Boolean>> confirms = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            q.enqueue(message("t" + i, false), f::complete);
            confirms.add(f);
        }
        for (CompletableFuture<Boolean> f : confirms) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
        }
        await("every delivery", () -> bodies.size() == 51);
        settleStoreThread();
        assertThat(bodies).containsExactlyElementsOf(range("t", 0, 50));
        assertThat(appends.get()).as("only t0, delivered before any consumer took one lately").isEqualTo(1);
        q.close().join();
    }

    @Test
    void shouldConfirmAHeldMessageOnlyAfterSyncingItsWriteWhenFsyncIsAlways() throws Exception {
        FsyncPolicy always = FsyncPolicy.of("always", Duration.ZERO);
        MessageQueue q = open(dir.resolve("q"), always, new WriteBehind(Duration.ofMillis(200), 64 * MIB),
                QueueArguments.NONE, NO_LISTENER);
        Consumer sink = new Consumer(body -> false);
        consume(q, sink, 100);
        assertThat(publish(q, "m0").get(10, TimeUnit.SECONDS)).isTrue();
        await("m0", () -> sink.bodies.size() == 1);
        settleStoreThread();
        int syncsBefore = syncs.get();
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        assertThat(q.enqueue(message("m1"), ok -> {
            assertThat(syncs.get()).as("synced before the waiter is told").isGreaterThan(syncsBefore);
            held.complete(ok);
        })).isTrue();
        await("m1", () -> sink.bodies.size() == 2);
        assertThat(held.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(appends.get()).as("m1 written by the delay").isEqualTo(2);
        q.close().join();
    }
}
