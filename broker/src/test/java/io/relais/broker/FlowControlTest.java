package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.frame.QueueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-queue flow control end to end (PROTOCOL.md 7.8 point 3), with the default configuration and
 * the real client: a queue whose consumer does not keep up stops the connection that publishes into
 * it, and only that one; nothing is lost.
 */
@ExtendWith(LeakCheck.class)
class FlowControlTest {
    private static final byte[] BODY = new byte[100];

    /** Publishes to the default exchange with at most {@code window} confirms outstanding, until stopped. */
    private static final class FlatOutPublisher implements AutoCloseable {
        final AtomicInteger confirmed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong lastConfirmNanos = new AtomicLong(System.nanoTime());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Semaphore window;
        private final Thread thread;
        private final List<CompletableFuture<Void>> all = new CopyOnWriteArrayList<>();

        FlatOutPublisher(RelaisClient client, String queue, int window) {
            this.window = new Semaphore(window);
            this.thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (!this.window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    CompletableFuture<Void> f = client.publishConfirmed(Message.builder(queue).payload(BODY)
                            .persistent(true).build());
                    all.add(f);
                    f.whenComplete((ok, error) -> {
                        if (error == null) {
                            confirmed.incrementAndGet();
                            lastConfirmNanos.set(System.nanoTime());
                        } else {
                            failed.incrementAndGet();
                        }
                        this.window.release();
                    });
                }
            }, "flat-out-" + queue);
            thread.start();
        }

        /** Stops publishing; waits for every publish to be settled. */
        int stopAndSettle() throws Exception {
            stop.set(true);
            thread.join(10_000);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            return all.size();
        }

        /** Milliseconds since the last confirm. */
        long quietMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastConfirmNanos.get());
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long ready(RelaisClient admin, String queue) {
        for (QueueInfo q : admin.listQueues().join()) {
            if (q.name().equals(queue)) {
                return q.messages();
            }
        }
        throw new AssertionError("no queue " + queue);
    }

    private static void declare(RelaisClient admin, String queue) {
        admin.declareQueue(QueueDeclaration.named(queue).durable(true)).join();
        admin.bind(queue, "", queue).join();
    }

    @Test
    void shouldStopOnlyThePublisherIntoAQueueWhoseConsumerStoppedAndLoseNothing() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture()) {
            RelaisClient admin = fixture.client();
            declare(admin, "slow");
            declare(admin, "fast");
            List<Delivery> held = new CopyOnWriteArrayList<>();
            AtomicBoolean acking = new AtomicBoolean();
            AtomicInteger slowReceived = new AtomicInteger();
            fixture.client().subscribeQueue("slow", SubscribeOptions.defaults().manualAck(true).prefetch(5), d -> {
                slowReceived.incrementAndGet();
                if (acking.get()) {
                    d.ack();
                } else {
                    held.add(d);
                }
            }).join();
            AtomicInteger fastReceived = new AtomicInteger();
            fixture.client().subscribeQueue("fast", SubscribeOptions.defaults(), d -> fastReceived.incrementAndGet())
                    .join();

            try (FlatOutPublisher toSlow = new FlatOutPublisher(fixture.client(), "slow", 200)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (toSlow.quietMillis() < 1000 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                assertThat(toSlow.quietMillis()).as("ms without a confirm for the publisher into 'slow'")
                        .isGreaterThanOrEqualTo(1000);
                long stoppedAt = ready(admin, "slow");
                assertThat(stoppedAt).as("ready in 'slow' once its publisher stopped").isBetween(1L, 5000L);

                // A publisher into another queue, on its own connection, goes on.
                RelaisClient other = fixture.client();
                List<CompletableFuture<Void>> toFast = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    toFast.add(other.publishConfirmed(Message.builder("fast").payload(BODY).persistent(true).build()));
                }
                CompletableFuture.allOf(toFast.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                assertThat(ready(admin, "slow")).as("'slow' did not grow meanwhile").isEqualTo(stoppedAt);
                assertThat(toSlow.quietMillis()).as("still stopped").isGreaterThanOrEqualTo(1000);

                // The consumer takes again: the publisher resumes, and every message it sent arrives.
                acking.set(true);
                for (Delivery d : held) {
                    d.ack();
                }
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int before = toSlow.confirmed.get();
                while (toSlow.confirmed.get() < before + 1000 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertThat(toSlow.confirmed.get()).as("confirms after the consumer resumed").isGreaterThanOrEqualTo(
                        before + 1000);
                int sent = toSlow.stopAndSettle();
                assertThat(toSlow.failed.get()).isZero();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (slowReceived.get() < sent && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertThat(slowReceived.get()).as("deliveries from 'slow'").isEqualTo(sent);
            }
            assertThat(fastReceived.get()).isGreaterThanOrEqualTo(2000);
        }
    }

    @Test
    void shouldKeepTheQueueShortWhenTheConsumerIsSlowerThanAFlatOutPublisher() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture()) {
            RelaisClient admin = fixture.client();
            declare(admin, "paced");
            AtomicInteger received = new AtomicInteger();
            fixture.client().subscribeQueue("paced", SubscribeOptions.defaults().manualAck(true).prefetch(20), d -> {
                received.incrementAndGet();
                if (received.get() % 20 == 0) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                d.ack();
            }).join();
            long maxReady = 0;
            int sent;
            try (FlatOutPublisher publisher = new FlatOutPublisher(fixture.client(), "paced", 500)) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < end) {
                    maxReady = Math.max(maxReady, ready(admin, "paced"));
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                sent = publisher.stopAndSettle();
                assertThat(publisher.failed.get()).isZero();
            }
            // Without flow control the backlog is what the publisher sent minus what the consumer took:
            // tens of thousands here. With it, about what the consumer takes in the maximum delay plus
            // the publisher's window.
            assertThat(maxReady).as("most ready messages seen (sent %d)", sent).isLessThan(5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < sent && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertThat(received.get()).isEqualTo(sent);
        }
    }
}
