package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.Reason;
import io.relais.broker.core.queue.DeliverySink;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueArguments;
import io.relais.broker.core.queue.QueueConsumer;
import io.relais.broker.core.queue.TestLoop;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.Properties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredBacklogTest {
    private static final FsyncPolicy ALWAYS = FsyncPolicy.of("always", Duration.ofSeconds(1));

    @TempDir
    Path dir;
    private final TestLoop loop = new TestLoop();
    private final List<String> syncThreads = new CopyOnWriteArrayList<>();
    private final StoreThreads threads = new StoreThreads(1, queue -> syncThreads.add(Thread.currentThread().getName()));

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

    /** Takes every delivery and acknowledges it at once. */
    private static final class Collector implements DeliverySink {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<Boolean> redelivered = new CopyOnWriteArrayList<>();

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void deliver(QueueConsumer consumer, Message message, boolean redelivery) {
            bodies.add(WireMessage.of(message).payload().toString(StandardCharsets.UTF_8));
            redelivered.add(redelivery);
            consumer.settled(1);
            consumer.queue().acked(List.of(message));
        }

        @Override
        public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        }
    }

    @AfterEach
    void stop() {
        loop.close();
        threads.close();
    }

    private MessageQueue open(FsyncPolicy fsync) {
        MessageStore store = MessageStore.open(dir.resolve("q"), "q", fsync);
        StoredBacklog backlog = new StoredBacklog("q", store, threads.next(), fsync, threads.faults());
        return new MessageQueue("/", "q", true, false, false, QueueArguments.NONE, null, loop, NO_LISTENER, backlog, FlowLimits.DEFAULTS);
    }

    private static WireMessage message(String body) {
        return new WireMessage("", "k", Properties.EMPTY, true, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8),
                System.currentTimeMillis());
    }

    private static Collector consume(MessageQueue q) {
        Collector sink = new Collector();
        QueueConsumer c = new QueueConsumer(q, sink, 1, true, 100, false);
        q.addConsumer(c).join();
        c.start();
        return sink;
    }

    private static void await(List<String> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void shouldTellTheWaiterOnlyAfterSyncingOnTheStoreThreadWhenFsyncIsAlways() {
        MessageQueue q = open(ALWAYS);
        CompletableFuture<Boolean> stored = new CompletableFuture<>();
        q.enqueue(message("one"), ok -> {
            assertThat(syncThreads).as("synced before the waiter is told").isNotEmpty();
            stored.complete(ok);
        });
        assertThat(stored.join()).isTrue();
        assertThat(syncThreads).allSatisfy(t -> assertThat(t).startsWith("relais-store-"));
        q.close().join();
    }

    @Test
    void shouldDeliverEveryStoredMessageInOrderWhenReopenedWithMoreThanTheReadAhead() throws Exception {
        int n = StoredBacklog.READ_AHEAD * 4 + 7;
        MessageQueue q = open(FsyncPolicy.DEFAULT);
        for (int i = 0; i < n; i++) {
            assertThat(q.enqueue(message("m" + i))).isTrue();
        }
        q.close().join();

        MessageQueue reopened = open(FsyncPolicy.DEFAULT);
        assertThat(reopened.messageCount()).isEqualTo(n);
        Collector sink = consume(reopened);
        await(sink.bodies, n);
        assertThat(sink.bodies).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(sink.bodies.get(i)).isEqualTo("m" + i);
        }
        reopened.close().join();

        MessageQueue again = open(FsyncPolicy.DEFAULT);
        assertThat(again.messageCount()).as("acknowledged messages stay settled").isZero();
        again.close().join();
    }

    @Test
    void shouldDeliverLargeMessagesBeyondTheReadAheadBytesWhenConsumersKeepUp() throws Exception {
        // 64 KiB each: the read-ahead's 4 MiB is used up after 64 messages, long before its count.
        int n = 200;
        MessageQueue q = open(FsyncPolicy.DEFAULT);
        Collector sink = consume(q);
        String big = "x".repeat(64 * 1024 - 8);
        for (int i = 0; i < n; i++) {
            assertThat(q.enqueue(message(String.format("%08d", i) + big))).isTrue();
        }
        await(sink.bodies, n);
        assertThat(sink.bodies).hasSize(n);
        assertThat(sink.bodies.get(n - 1)).startsWith(String.format("%08d", n - 1));
        q.close().join();
    }

    @Test
    void shouldPurgeMessagesStillOnDiskWhenPurged() {
        int n = StoredBacklog.READ_AHEAD * 3;
        MessageQueue q = open(FsyncPolicy.DEFAULT);
        for (int i = 0; i < n; i++) {
            q.enqueue(message("m" + i));
        }
        q.close().join();
        MessageQueue reopened = open(FsyncPolicy.DEFAULT);
        assertThat(reopened.purge().join()).isEqualTo(n);
        assertThat(reopened.messageCount()).isZero();
        reopened.close().join();
        MessageQueue again = open(FsyncPolicy.DEFAULT);
        assertThat(again.messageCount()).isZero();
        again.close().join();
    }

    @Test
    void shouldDeleteTheStoreDirectoryWhenTheQueueIsDeleted() {
        MessageQueue q = open(FsyncPolicy.DEFAULT);
        q.enqueue(message("x"));
        assertThat(q.delete("test").join()).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("q"))).isFalse();
    }
}
