package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A subscriber that stops reading never makes the broker buffer without bound: its backlog is
 * capped (oldest dropped) and publishers and other subscribers carry on.
 */
@ExtendWith(LeakCheck.class)
class SlowSubscriberTest {
    @Test
    void shouldBoundBacklogAndKeepServingOthersWhenSubscriberStopsReading() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMaxBacklog(500));
             RawConnection stalled = new RawConnection(fixture.port())) {
            stalled.socket().setReceiveBufferSize(4096);
            stalled.handshake(0);
            stalled.send(new Subscribe(1, 1, "", "", "flood.#", 0, false, false));
            Frame ok = stalled.read();
            assertThat(ok).isInstanceOf(SubscribeOk.class);
            // From here on the stalled connection never reads again.

            RelaisClient healthy = fixture.client();
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            healthy.subscribe("", "flood.#", d -> {
                if (d.payloadAsString().equals("last")) {
                    got.add("last");
                }
            }).join();
            RelaisClient publisher = fixture.client();
            byte[] body = new byte[1024];
            for (int i = 0; i < 20_000; i++) {
                publisher.publish(Message.builder("flood.x").payload(body).build());
            }
            publisher.publishConfirmed(Message.builder("flood.x").payload("last").build()).get(30, TimeUnit.SECONDS);
            assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("last");

            QueueInfo backlog = publisher.listQueues().join().stream()
                    .filter(q -> q.name().equals(((SubscribeOk) ok).queue())).findFirst().orElseThrow();
            assertThat(backlog.messages()).isLessThanOrEqualTo(500);
            assertThat(stalled.socket().isClosed()).isFalse();
        }
        assertThat(Unpooled.EMPTY_BUFFER).isNotNull();
        assertThat(Properties.EMPTY.isEmpty()).isTrue();
    }
}
