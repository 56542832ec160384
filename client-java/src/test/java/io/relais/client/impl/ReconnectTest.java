package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.relais.client.ConnectionEvent;
import io.relais.client.DisconnectedPublishes;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reconnection against the scripted {@link MockServer}: the server drops the socket (or fails the handshake
 * at a chosen step), and the client must come back, declare again, resubscribe, and deal with publishes as
 * documented. No sleeps: every wait is for an event or a frame.
 */
class ReconnectTest {
    private final BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    private final AtomicInteger generatedNames = new AtomicInteger();
    private MockServer server;
    private RelaisClient client;

    /** Answers declarations, bindings and subscriptions; confirms publishes when {@code confirm}. */
    private List<Frame> answer(Frame f, boolean confirm) {
        if (f instanceof ExchangeDeclare d) {
            return List.of(new Ok(d.requestId(), 0));
        } else if (f instanceof QueueDeclare d) {
            String name = d.name().isEmpty() ? "gen-" + generatedNames.incrementAndGet() : d.name();
            return List.of(new QueueDeclareOk(d.requestId(), name, 0, 0));
        } else if (f instanceof Bind b) {
            return List.of(new Ok(b.requestId(), 0));
        } else if (f instanceof Subscribe s) {
            return List.of(new SubscribeOk(s.requestId(), s.sid(), s.queue().isEmpty() ? "sub-" + s.sid() : s.queue()));
        } else if (f instanceof Publish p && confirm && p.seq() > 0) {
            return List.of(new Confirm(p.seq(), true, false, 0));
        }
        return List.of();
    }

    private void connect(boolean confirm, RelaisClient.Builder options) throws Exception {
        server = new MockServer().script(f -> answer(f, confirm)).start();
        client = options.server(server.address()).connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(5)).connect();
        client.onConnectionEvent(events::add);
    }

    private RelaisClient.Builder reconnecting() {
        return RelaisClient.builder().reconnect(ReconnectPolicy.fixed(Duration.ofMillis(10)));
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private ConnectionEvent next(ConnectionEvent.Type type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            ConnectionEvent e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(e).as("a %s event within 10 s", type).isNotNull();
            if (e.type() == type) {
                return e;
            }
        }
    }

    /** The frames of {@code type} received on the current connection, in order, skipping others. */
    private <F extends Frame> F nextFrame(Class<F> type) throws InterruptedException {
        while (true) {
            Frame f = server.take();
            if (type.isInstance(f)) {
                return type.cast(f);
            }
        }
    }

    @Test
    void shouldDeclareAgainAndResubscribeWhenTheConnectionIsLost() throws Exception {
        connect(true, reconnecting());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        client.declareExchange("x", ExchangeType.TOPIC, false, true).get(5, TimeUnit.SECONDS);
        client.declareQueue(QueueDeclaration.named("q").autoDelete(true)).get(5, TimeUnit.SECONDS);
        client.bind("q", "x", "a.#").get(5, TimeUnit.SECONDS);
        Subscription byQueue = client.subscribeQueue("q", SubscribeOptions.defaults(),
                d -> received.add(d.payloadAsString())).get(5, TimeUnit.SECONDS);
        client.subscribe("x", "b.*", d -> received.add("pattern:" + d.payloadAsString())).get(5, TimeUnit.SECONDS);
        server.drain(f -> true);

        server.dropClient();
        assertThat(next(ConnectionEvent.Type.DISCONNECTED).cause()).hasMessageContaining("lost");
        assertThat(next(ConnectionEvent.Type.RECONNECTED).attempt()).isGreaterThanOrEqualTo(1);
        next(ConnectionEvent.Type.RESUBSCRIBED);

        assertThat(nextFrame(ExchangeDeclare.class).name()).isEqualTo("x");
        assertThat(nextFrame(QueueDeclare.class).name()).isEqualTo("q");
        Bind bind = nextFrame(Bind.class);
        assertThat(List.of(bind.queue(), bind.exchange(), bind.pattern())).containsExactly("q", "x", "a.#");
        Subscribe s1 = nextFrame(Subscribe.class);
        Subscribe s2 = nextFrame(Subscribe.class);
        assertThat(List.of(s1.queue(), s2.pattern())).containsExactly("q", "b.*");
        assertThat(client.isOpen()).isTrue();
        assertThat(byQueue.sid()).isEqualTo(s1.sid());

        server.send(new Deliver(s1.sid(), 1, 0, "x", "a.1", Properties.EMPTY, Unpooled.copiedBuffer("one",
                StandardCharsets.UTF_8)));
        server.send(new Deliver(s2.sid(), 2, 0, "x", "b.2", Properties.EMPTY, Unpooled.copiedBuffer("two",
                StandardCharsets.UTF_8)));
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("one");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("pattern:two");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void shouldFollowAServerNamedQueueToItsNewNameWhenRedeclared() throws Exception {
        connect(true, reconnecting());
        String first = client.declareQueue(QueueDeclaration.serverNamed().exclusive(true)).get(5, TimeUnit.SECONDS)
                .name();
        assertThat(first).isEqualTo("gen-1");
        client.bind(first, "", "replies").get(5, TimeUnit.SECONDS);
        Subscription sub = client.subscribeQueue(first, SubscribeOptions.defaults(), d -> { })
                .get(5, TimeUnit.SECONDS);
        server.drain(f -> true);

        server.dropClient();
        next(ConnectionEvent.Type.RESUBSCRIBED);
        assertThat(nextFrame(QueueDeclare.class).name()).isEmpty();
        assertThat(nextFrame(Bind.class).queue()).isEqualTo("gen-2");
        assertThat(nextFrame(Subscribe.class).queue()).isEqualTo("gen-2");
        assertThat(sub.queue()).isEqualTo("gen-2");
    }

    @Test
    void shouldSendPublishesBufferedWhileDisconnectedOnceReconnected() throws Exception {
        connect(true, reconnecting());
        server.handshake(MockServer.Handshake.CLOSE_AFTER_HELLO);
        server.dropClient();
        next(ConnectionEvent.Type.DISCONNECTED);
        CompletableFuture<Void> a = client.publish(Message.of("k", "a".getBytes(StandardCharsets.UTF_8)));
        CompletableFuture<Void> b = client.publishConfirmed(Message.of("k", "b".getBytes(StandardCharsets.UTF_8)));
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        assertThat(client.isOpen()).isFalse();

        server.handshake(MockServer.Handshake.NORMAL);
        next(ConnectionEvent.Type.RESUBSCRIBED);
        b.get(5, TimeUnit.SECONDS);
        a.get(5, TimeUnit.SECONDS);
        Publish pa = nextFrame(Publish.class);
        Publish pb = nextFrame(Publish.class);
        assertThat(List.of(pa.payload().toString(StandardCharsets.UTF_8), pb.payload().toString(StandardCharsets.UTF_8)))
                .containsExactly("a", "b");
        pa.payload().release();
        pb.payload().release();
    }

    @Test
    void shouldFailPublishesAtOnceWhileDisconnectedWhenConfiguredTo() throws Exception {
        connect(true, reconnecting().whileDisconnected(DisconnectedPublishes.FAIL, 0));
        server.handshake(MockServer.Handshake.CLOSE_AFTER_HELLO);
        server.dropClient();
        next(ConnectionEvent.Type.DISCONNECTED);
        CompletableFuture<Void> f = client.publishConfirmed(Message.of("k", new byte[1]));
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::get).cause().isInstanceOf(RelaisException.class).hasMessageContaining("reconnecting");
    }

    @Test
    void shouldFailUnconfirmedPublishesAndNotResendThemWhenTheConnectionIsLost() throws Exception {
        connect(false, reconnecting());
        CompletableFuture<Void> unconfirmed = client.publishConfirmed(Message.of("k", "x".getBytes(
                StandardCharsets.UTF_8)));
        nextFrame(Publish.class).payload().release();
        server.dropClient();
        assertThatThrownBy(() -> unconfirmed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RelaisException.class);
        next(ConnectionEvent.Type.RESUBSCRIBED);
        client.declareQueue(QueueDeclaration.named("fence")).get(5, TimeUnit.SECONDS);
        assertThat(server.drain(f -> f instanceof Publish)).as("nothing published again").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = MockServer.Handshake.class, names = {"CLOSE_AFTER_HELLO", "SILENT_AFTER_HELLO",
            "ERROR_ON_HELLO", "ERROR_ON_AUTH", "SILENT_AFTER_AUTH"})
    void shouldKeepTryingWhenReconnectFailsAtAHandshakeStep(MockServer.Handshake failure) throws Exception {
        connect(true, reconnecting());
        client.declareQueue(QueueDeclaration.named("q")).get(5, TimeUnit.SECONDS);
        server.handshake(failure);
        server.dropClient();
        next(ConnectionEvent.Type.DISCONNECTED);
        int before = server.connections();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connections() < before + 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(server.connections()).as("failed attempts").isGreaterThanOrEqualTo(before + 2);
        assertThat(client.isOpen()).isFalse();
        server.handshake(MockServer.Handshake.NORMAL);
        next(ConnectionEvent.Type.RESUBSCRIBED);
        assertThat(client.isOpen()).isTrue();
        assertThat(nextFrame(QueueDeclare.class).name()).isEqualTo("q");
    }

    @Test
    void shouldCloseForGoodWhenThePolicyGivesUp() throws Exception {
        connect(true, RelaisClient.builder().reconnect(ReconnectPolicy.fixed(Duration.ofMillis(5)).limitedTo(3)));
        server.handshake(MockServer.Handshake.ERROR_ON_AUTH);
        server.dropClient();
        ConnectionEvent closed = next(ConnectionEvent.Type.CLOSED);
        assertThat(closed.cause()).hasMessageContaining("gave up reconnecting").hasMessageContaining("3 attempts");
        assertThat(client.isOpen()).isFalse();
        assertThat(client.publish(Message.of("k", new byte[0]))).isCompletedExceptionally();
    }

    @Test
    void shouldCloseWhenReconnectionIsDisabled() throws Exception {
        connect(true, RelaisClient.builder().reconnect(ReconnectPolicy.disabled()));
        server.dropClient();
        next(ConnectionEvent.Type.DISCONNECTED);
        assertThat(next(ConnectionEvent.Type.CLOSED).cause()).hasMessageContaining("reconnection is disabled");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void shouldBackOffExponentiallyWithJitterWithinBounds() {
        ReconnectPolicy p = ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);
        for (int attempt = 1; attempt <= 20; attempt++) {
            long base = Math.min(10_000, 100L << Math.min(attempt - 1, 30));
            assertThat(p.delayBeforeAttempt(attempt).toMillis()).as("attempt %d", attempt)
                    .isBetween((long) (base * 0.8) - 1, (long) (base * 1.2) + 1);
        }
        assertThat(ReconnectPolicy.disabled().delayBeforeAttempt(1)).isNull();
        assertThat(ReconnectPolicy.fixed(Duration.ofMillis(7)).limitedTo(2).delayBeforeAttempt(3)).isNull();
    }
}
