package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.relais.client.Backpressure;
import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A broker that stops reading under a fast publisher: the client's memory stays bounded, and the publisher
 * is blocked or refused as configured.
 */
class BackpressureTest {
    private static final int MAX_BUFFERED = 64 * 1024;
    private static final byte[] PAYLOAD = new byte[1000];

    private MockServer server;
    private RelaisClient client;

    private void connect(Backpressure mode) throws Exception {
        server = new MockServer().start();
        client = server.clientBuilder().backpressure(mode).maxBufferedBytes(MAX_BUFFERED)
                .requestTimeout(Duration.ofMillis(300)).connect();
        server.stopReading();
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private long pendingBytes() throws Exception {
        Channel ch = ((ClientFacade) client).currentConnection().channel();
        return ch.eventLoop().submit(() -> ch.unsafe().outboundBuffer() == null ? 0L
                : ch.unsafe().outboundBuffer().totalPendingWriteBytes()).get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefusePublishesOnceTheSendBufferIsFullWhenConfiguredToFail() throws Exception {
        connect(Backpressure.FAIL);
        // The kernel's socket buffers take a few megabytes before the client's own buffer fills; from then
        // on the client refuses rather than hold more.
        int refused = 0;
        for (int i = 0; i < 200_000; i++) {
            CompletableFuture<Void> f = client.publish(Message.of("k", PAYLOAD));
            if (f.isCompletedExceptionally()) {
                refused++;
                assertThatThrownBy(f::get).cause().isInstanceOf(RelaisException.class)
                        .hasMessageContaining("send buffer full");
            }
        }
        assertThat(refused).as("publishes refused").isGreaterThan(100_000);
        assertThat(pendingBytes()).as("bytes held by the client").isLessThanOrEqualTo(2L * MAX_BUFFERED);
    }

    @Test
    void shouldBlockThenTimeOutOnceTheSendBufferIsFullWhenConfiguredToBlock() throws Exception {
        connect(Backpressure.BLOCK);
        long start = 0;
        CompletableFuture<Void> last = null;
        for (int i = 0; i < 1_000_000; i++) {
            start = System.nanoTime();
            last = client.publish(Message.of("k", PAYLOAD));
            if (last.isCompletedExceptionally()) {
                break;
            }
        }
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(last).isCompletedExceptionally();
        assertThat(waitedMs).as("the last publish waited for room").isGreaterThanOrEqualTo(250);
        assertThat(pendingBytes()).isLessThanOrEqualTo(2L * MAX_BUFFERED);
    }

    @Test
    void shouldRefuseAPublishBeyondTheUnconfirmedWindowAtOnceWhenConfiguredToFail() throws Exception {
        server = new MockServer().start();
        client = server.clientBuilder().backpressure(Backpressure.FAIL).maxUnconfirmed(2).connect();
        CompletableFuture<Void> a = client.publishConfirmed(Message.of("k", PAYLOAD));
        CompletableFuture<Void> b = client.publishConfirmed(Message.of("k", PAYLOAD));
        CompletableFuture<Void> c = client.publishConfirmed(Message.of("k", PAYLOAD));
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        assertThat(c).isCompletedExceptionally();
        assertThatThrownBy(c::get).cause().hasMessageContaining("waiting for their confirms");
    }
}
