package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.DisconnectedPublishes;
import io.relais.client.Message;
import io.relais.client.RelaisException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The bounded buffer of publishes made while disconnected; sending it is covered by {@link ReconnectTest}. */
class DisconnectedPublishBufferTest {
    private static final Message MESSAGE = Message.of("k", new byte[] {1});

    @Test
    void shouldKeepPublishesUpToItsCapacityAndRefuseTheNextWhenBuffering() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.BUFFER, 2, "h:1");

        assertThat(buffer.offer(MESSAGE, false, new CompletableFuture<>())).isNull();
        assertThat(buffer.offer(MESSAGE, true, new CompletableFuture<>())).isNull();
        RelaisException refused = buffer.offer(MESSAGE, false, new CompletableFuture<>());

        assertThat(refused).hasMessage("not connected, and 2 publishes already wait for the reconnect");
        assertThat(refused.code()).isNull();
        assertThat(buffer.size()).isEqualTo(2);
    }

    @Test
    void shouldRefuseEveryPublishAtOnceWhenConfiguredToFail() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.FAIL, 10, "h:1");

        assertThat(buffer.offer(MESSAGE, false, new CompletableFuture<>())).hasMessage("not connected: reconnecting to h:1");
        assertThat(buffer.size()).isZero();
    }

    @Test
    void shouldHandBackTheFuturesInOrderAndEmptyWhenCleared() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.BUFFER, 10, "h:1");
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        buffer.offer(MESSAGE, false, first);
        buffer.offer(MESSAGE, true, second);

        List<CompletableFuture<Void>> dropped = buffer.clear();

        assertThat(dropped).containsExactly(first, second);
        assertThat(buffer.size()).isZero();
        assertThat(buffer.clear()).isEmpty();
    }
}
