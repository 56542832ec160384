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
            for (int i = 0; i < 32; i++) {
                publisher.publishConfirmed(Message.builder("sink").payload(body).build()).get(10, TimeUnit.SECONDS);
            }
            // 512 KiB queued: the alarm is raised within the monitor's period, then publishes stall.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            CompletableFuture<Void> stalled;
            do {
                Thread.sleep(150);
                stalled = publisher.publishConfirmed(Message.builder("sink").payload(body).build());
                try {
                    stalled.get(500, TimeUnit.MILLISECONDS);
                    stalled = null;
                } catch (java.util.concurrent.TimeoutException expected) {
                    break;
                }
            } while (System.nanoTime() < deadline);
            assertThat(stalled).as("a publish that waits while the alarm is raised").isNotNull();
            assertThat(admin.listQueues().join()).anySatisfy(q -> assertThat(q.messages()).isGreaterThanOrEqualTo(32));

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
