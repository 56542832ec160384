package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.store.FsyncPolicy;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A slow disk stalls only the durable queues on it: with every sync of a durable queue's store
 * taking 500 ms (fault-injected), a transient publish/subscribe on other connections keeps its
 * latency low, because no network event loop waits for the disk. The bound is half a sync
 * (250 ms), not a speed target: a loop that waited for one sync would exceed it, and a loaded CI
 * machine does not (speed is measured in bench/).
 */
class SlowDiskTest {
    private static final long SYNC_MILLIS = 500;
    private static final int MESSAGES = 600;
    private static final int WARM_UP = 5000;

    @Test
    void shouldKeepTransientLatencyLowWhenEverySyncOfADurableQueueTakes500Ms() throws Exception {
        AtomicInteger slowSyncs = new AtomicInteger();
        try (BrokerFixture fixture = new BrokerFixture(
                c -> c.withStore(FsyncPolicy.of("always", Duration.ofSeconds(1)), 0),
                queue -> {
                    slowSyncs.incrementAndGet();
                    try {
                        Thread.sleep(SYNC_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })) {
            RelaisClient durablePublisher = fixture.client();
            durablePublisher.declareQueue(QueueDeclaration.named("slow-disk").durable(true)).join();
            durablePublisher.bind("slow-disk", "", "slow.#").join();
            List<CompletableFuture<Void>> durableConfirms = new ArrayList<>();
            long durableStart = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                durableConfirms.add(durablePublisher.publishConfirmed(Message.builder("slow.x")
                        .payload(new byte[1024]).persistent(true).build()));
            }

            RelaisClient subscriber = fixture.client();
            RelaisClient publisher = fixture.client();
            long[] latencies = new long[MESSAGES];
            AtomicInteger received = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(MESSAGES);
            CountDownLatch warm = new CountDownLatch(WARM_UP);
            subscriber.subscribe("", "fast.#", d -> {
                if (d.routingKey().equals("fast.warm")) {
                    warm.countDown();
                    return;
                }
                long sent = ByteBuffer.wrap(d.payload()).getLong();
                latencies[received.getAndIncrement()] = System.nanoTime() - sent;
                all.countDown();
            }).join();
            // Warm up the path (JIT), then measure while the durable queue's syncs are stalling.
            for (int i = 0; i < WARM_UP; i++) {
                publisher.publish(Message.builder("fast.warm").payload(new byte[8]).build());
            }
            assertThat(warm.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] body = ByteBuffer.allocate(8).putLong(System.nanoTime()).array();
                publisher.publish(Message.builder("fast.x").payload(body).build());
                Thread.sleep(2);
                if (i % 100 == 0) {
                    // Keep the durable queue's store busy syncing throughout.
                    durableConfirms.add(durablePublisher.publishConfirmed(Message.builder("slow.x")
                            .payload(new byte[1024]).persistent(true).build()));
                }
            }
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(durableConfirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long durableMillis = (System.nanoTime() - durableStart) / 1_000_000;

            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            long p99Micros = sorted[(int) (MESSAGES * 0.99) - 1] / 1000;
            assertThat(slowSyncs.get()).as("the durable queue's store synced slowly during the run").isGreaterThan(2);
            assertThat(durableMillis).as("durable confirms waited for the slow syncs").isGreaterThan(2 * SYNC_MILLIS);
            // A transient message held up behind one sync of the durable store waits at least SYNC_MILLIS;
            // below 90 % of it, none was, however loaded the machine (a shared 2-core CI machine with
            // builds beside it reached 276 ms).
            assertThat(p99Micros).as("p99 of the transient pub/sub in microseconds (max %d)",
                    sorted[MESSAGES - 1] / 1000).isLessThan(SYNC_MILLIS * 1000 * 9 / 10);
        }
    }
}
