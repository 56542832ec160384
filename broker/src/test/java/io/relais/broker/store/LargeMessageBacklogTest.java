package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable queue's store thread takes turns between appending a burst of large messages and reading for
 * the queue's consumer: a window of a thousand 64 KiB messages offered at once is appended in batches of
 * {@link StoredBacklog#APPEND_BATCH_BYTES}, each followed by its confirms and a read, so the consumer gets
 * messages while the burst is still being written. Appending the whole window in one task (as before)
 * gave the consumer one read-ahead (64 such messages) per window, a tenth of the producer's rate.
 */
@ExtendWith(LeakCheck.class)
class LargeMessageBacklogTest {
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;
    private final TestLoop loop = new TestLoop();
    private final StoreThreads threads = new StoreThreads(1, queue -> { });

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

    @AfterEach
    void stop() {
        loop.close();
        threads.close();
    }

    @Test
    void shouldDeliverWhileABurstOfLargeMessagesIsStillBeingAppended() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        MessageStore store = MessageStore.open(dir.resolve("q"), "q", FsyncPolicy.DEFAULT);
        ScheduledExecutorService storeThread = threads.next();
        StoredBacklog backlog = new StoredBacklog("q", store, storeThread, FsyncPolicy.DEFAULT, threads.faults());
        MessageQueue q = new MessageQueue("/", "q", true, false, false, QueueArguments.NONE, null, loop, NO_LISTENER,
                backlog, FlowLimits.DEFAULTS);
        DeliverySink sink = new DeliverySink() {
            @Override
            public boolean isWritable() {
                return true;
            }

            @Override
            public void deliver(QueueConsumer consumer, Message message, boolean redelivery) {
                events.add("delivered");
                consumer.settled(1);
                consumer.queue().acked(List.of(message));
            }

            @Override
            public void cancelled(QueueConsumer consumer, Reason reason, String message) {
            }
        };
        QueueConsumer consumer = new QueueConsumer(q, sink, 1, true, 500, false);
        q.addConsumer(consumer).join();
        consumer.start();
        int n = 1000;
        // Every offer is in the inbox before the store thread takes any: one window, as a producer sends it.
        CountDownLatch offered = new CountDownLatch(1);
        storeThread.execute(() -> {
            try {
                offered.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CountDownLatch stored = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            WireMessage m = new WireMessage("", "k", Properties.EMPTY, true, Unpooled.wrappedBuffer(new byte[SIZE]),
                    System.currentTimeMillis());
            q.enqueue(m, ok -> {
                events.add("stored");
                stored.countDown();
            });
        }
        offered.countDown();
        assertThat(stored.await(60, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.stream().filter("delivered"::equals).count() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events.stream().filter("delivered"::equals).count()).as("every message delivered").isEqualTo(n);
        int firstDelivery = events.indexOf("delivered");
        int lastStored = events.lastIndexOf("stored");
        assertThat(firstDelivery).as("the consumer got messages before the burst was appended").isLessThan(lastStored);
        long deliveredBeforeTheEnd = events.subList(0, lastStored).stream().filter("delivered"::equals).count();
        assertThat(deliveredBeforeTheEnd).as("more than one read-ahead delivered while the burst was appended")
                .isGreaterThan(StoredBacklog.APPEND_BATCH_BYTES / SIZE);
        q.close().join();
    }
}
