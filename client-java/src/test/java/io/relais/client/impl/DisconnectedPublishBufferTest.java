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

    private static OutgoingPublish publish(boolean confirmed, CompletableFuture<Void> future) {
        return new OutgoingPublish(MESSAGE, confirmed, future);
    }

    @Test
    void shouldKeepPublishesUpToItsCapacityAndRefuseTheNextWhenBuffering() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.BUFFER, 2, "h:1");

        assertThat(buffer.offer(publish(false, new CompletableFuture<>()))).isNull();
        assertThat(buffer.offer(publish(true, new CompletableFuture<>()))).isNull();
        RelaisException refused = buffer.offer(publish(false, new CompletableFuture<>()));

        assertThat(refused).hasMessage("not connected, and 2 publishes already wait for the reconnect");
        assertThat(refused.code()).isNull();
        assertThat(buffer.size()).isEqualTo(2);
    }

    @Test
    void shouldRefuseEveryPublishAtOnceWhenConfiguredToFail() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.FAIL, 10, "h:1");

        assertThat(buffer.offer(publish(false, new CompletableFuture<>()))).hasMessage("not connected: reconnecting to h:1");
        assertThat(buffer.size()).isZero();
    }

    @Test
    void shouldHandBackThePublishesInOrderAndEmptyWhenCleared() {
        DisconnectedPublishBuffer buffer = new DisconnectedPublishBuffer(DisconnectedPublishes.BUFFER, 10, "h:1");
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        OutgoingPublish one = publish(false, first);
        OutgoingPublish two = publish(true, second);
        buffer.offer(one);
        buffer.offer(two);

        List<OutgoingPublish> dropped = buffer.clear();

        assertThat(dropped).containsExactly(one, two);
        dropped.forEach(p -> p.failed(new RelaisException(null, "connection closed")));
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        assertThat(buffer.size()).isZero();
        assertThat(buffer.clear()).isEmpty();
    }
}
