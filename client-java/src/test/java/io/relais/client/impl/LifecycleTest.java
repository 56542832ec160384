package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.client.Message;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.QueuePurge;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private MockServer server;
    private RelaisClient client;

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private void connect(MockServer mock, RelaisClient.Builder options) throws Exception {
        server = mock.start();
        // These tests are about one connection's life; ReconnectTest covers what comes after it.
        client = options.server(server.address()).reconnect(ReconnectPolicy.disabled()).connect();
    }

    @Test
    void shouldSendHeartbeatWhenIdle() throws Exception {
        connect(new MockServer().heartbeat(Duration.ofSeconds(30)),
                RelaisClient.builder().heartbeat(Duration.ofMillis(200)));

        assertThat(server.take()).isEqualTo(Heartbeat.INSTANCE);
        assertThat(server.auth().get().heartbeatMillis()).isEqualTo(200);
    }

    @Test
    void shouldCloseWithHeartbeatTimeoutWhenServerSendsNothing() throws Exception {
        connect(new MockServer(), RelaisClient.builder().heartbeat(Duration.ofMillis(100)));
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);
        CompletableFuture<Long> pending = client.purgeQueue("q");

        RelaisException e = errors.poll(5, TimeUnit.SECONDS);

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT);
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(RelaisException.class,
                        x -> assertThat(x.code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT));
        server.disconnected().get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldSendCloseAndCompleteWhenServerAnswersCloseOk() throws Exception {
        connect(new MockServer(), RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);
        CompletableFuture<Long> pending = client.purgeQueue("q");

        client.closeAsync().get(5, TimeUnit.SECONDS);

        assertThat(server.take(QueuePurge.class)).isNotNull();
        Close close = server.take(Close.class);
        assertThat(close.code()).isZero();
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RelaisException.class).hasMessage("connection closed");
        server.disconnected().get(5, TimeUnit.SECONDS);
        assertThat(client.closeAsync()).isDone();
        client.close(); // idempotent
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldCloseSocketAfterRequestTimeoutWhenServerNeverAnswersClose() throws Exception {
        connect(new MockServer().answerClose(false), RelaisClient.builder().requestTimeout(Duration.ofMillis(200)));

        long start = System.nanoTime();
        client.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(3));
        server.disconnected().get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldAnswerCloseOkAndReportWhenServerCloses() throws Exception {
        connect(new MockServer(), RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);
        CompletableFuture<Long> pending = client.purgeQueue("q");
        server.take();

        server.send(new Close(ErrorCode.SERVER_SHUTDOWN.code(), "server shutting down"));

        assertThat(server.take()).isEqualTo(CloseOk.INSTANCE);
        RelaisException e = errors.poll(5, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN);
        assertThat(e.getMessage()).contains("server shutting down");
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(RelaisException.class);
        server.disconnected().get(5, TimeUnit.SECONDS);
        client.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldCloseAndReportWhenServerSendsFatalError() throws Exception {
        connect(new MockServer(), RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);

        server.send(new ErrorFrame(0, ErrorCode.INTERNAL_ERROR.code(), "boom"));

        RelaisException e = errors.poll(5, TimeUnit.SECONDS);
        assertThat(e).isNotNull().hasMessage("boom");
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(e.isFatal()).isTrue();
        assertThat(client.isOpen()).isFalse();
        server.disconnected().get(5, TimeUnit.SECONDS);
        // Fails, at once or as soon as the client has decided not to reconnect after a fatal error
        // (a publish made in between waits for that decision, it is not lost).
        assertThatThrownBy(() -> client.publish(Message.of("k", new byte[0])).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(RelaisException.class);
    }

    @Test
    void shouldReportConnectionLostWhenServerDropsSocket() throws Exception {
        connect(new MockServer(), RelaisClient.builder());
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        client.onError(errors::add);

        server.close();

        RelaisException e = errors.poll(5, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.code()).isNull();
        assertThat(e.getMessage()).contains("lost");
        assertThat(List.of(client.isOpen())).containsExactly(false);
    }
}
