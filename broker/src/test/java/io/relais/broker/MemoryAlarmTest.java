package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.protocol.LeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Above the memory high watermark the broker stops reading from publishers; below it they resume. */
@ExtendWith(LeakCheck.class)
class MemoryAlarmTest {
    @Test
    void shouldPausePublishersWhenQueuesHoldTooMuchAndResumeWhenDrained() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMemoryHighWatermark(256 * 1024))) {
            RelaisClient admin = fixture.client();
            admin.declareQueue(QueueDeclaration.named("sink")).join();
            admin.bind("sink", "", "sink").join();
            RelaisClient publisher = fixture.client();
            byte[] body = new byte[16 * 1024];
            // Publish until one waits: the monitor raises the alarm within its period once the queue
            // holds more than the watermark (16 messages), then the broker stops reading this publisher.
            int accepted = 0;
            CompletableFuture<Void> stalled = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stalled == null && System.nanoTime() < deadline) {
                CompletableFuture<Void> f = publisher.publishConfirmed(Message.builder("sink").payload(body).build());
                try {
                    f.get(500, TimeUnit.MILLISECONDS);
                    accepted++;
                } catch (TimeoutException expected) {
                    stalled = f;
                }
            }
            assertThat(stalled).as("a publish that waits while the alarm is raised").isNotNull();
            assertThat(accepted).as("publishes accepted before the alarm").isGreaterThanOrEqualTo(16);
            int queued = accepted;
            assertThat(admin.listQueues().join())
                    .anySatisfy(q -> assertThat(q.messages()).isGreaterThanOrEqualTo(queued));

            admin.purgeQueue("sink").join();
            stalled.get(10, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> more = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                more.add(publisher.publishConfirmed(Message.builder("sink").payload(body).build()));
            }
            CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }
}
