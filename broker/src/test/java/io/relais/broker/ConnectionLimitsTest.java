package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.SecurityLimits;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every limit of {@link SecurityLimits} on a real broker: connections in all and per source address are
 * refused at accept with ERROR 2014 CONNECTION_LIMIT before any handshake, per user and per vhost in answer to
 * AUTH; a released connection frees its place; queues per vhost and subscriptions per connection are refused
 * with 1014 LIMIT_REACHED and the connection stays open.
 */
class ConnectionLimitsTest {
    private static BrokerFixture broker(SecurityLimits limits) {
        return new BrokerFixture(c -> c.withSecurityLimits(limits)
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("guest", "guest", "bob", "bob"), false)));
    }

    private static RelaisClient connect(BrokerFixture f, String user) {
        return RelaisClient.builder().port(f.port()).username(user).password(user)
                .connectTimeout(Duration.ofSeconds(10)).connect();
    }

    /** A raw socket from {@code localAddress}, whose first frame is read without sending anything. */
    private static Frame firstFrameFrom(BrokerFixture f, String localAddress) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", f.port()));
        try (RawConnection raw = new RawConnection(socket, Duration.ofSeconds(10))) {
            Frame frame = raw.read();
            assertThat(raw.socket().getInputStream().read()).as("closed after the ERROR").isEqualTo(-1);
            return frame;
        }
    }

    @Test
    void shouldRefuseConnectionsBeyondTheGlobalLimitAtAcceptAndAdmitAgainOnceOneCloses() throws IOException {
        try (BrokerFixture f = broker(new SecurityLimits(3, 0, 0, 0, 0, 0))) {
            List<RelaisClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(connect(f, "guest"));
            }
            assertThat(firstFrameFrom(f, "127.0.0.1")).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LIMIT.code());
                assertThat(e.message()).contains(BrokerConfig.KEY_MAX_CONNECTIONS + ": 3");
            });
            assertThatThrownBy(() -> connect(f, "bob")).isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.CONNECTION_LIMIT));
            clients.remove(0).close();
            awaitConnections(f, 2);
            clients.add(connect(f, "bob"));
            clients.forEach(RelaisClient::close);
        }
    }

    @Test
    void shouldRefuseOneAddressBeyondItsLimitWhileOthersStillConnect() throws IOException {
        try (BrokerFixture f = broker(new SecurityLimits(100, 2, 0, 0, 0, 0))) {
            List<RelaisClient> clients = new ArrayList<>();
            clients.add(connect(f, "guest"));
            clients.add(connect(f, "guest"));
            assertThat(firstFrameFrom(f, "127.0.0.1")).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LIMIT.code());
                assertThat(e.message()).contains("address 127.0.0.1")
                        .contains(BrokerConfig.KEY_MAX_CONNECTIONS_PER_ADDRESS + ": 2");
            });
            // Another source address (all of 127/8 is loopback on Linux) is not held back.
            Socket other = new Socket();
            other.bind(new InetSocketAddress("127.0.0.2", 0));
            other.connect(new InetSocketAddress("127.0.0.1", f.port()));
            try (RawConnection raw = new RawConnection(other, Duration.ofSeconds(10))) {
                assertThat(raw.handshake(0)).isNotNull();
            }
            clients.forEach(RelaisClient::close);
        }
    }

    @Test
    void shouldRefuseAUserBeyondItsLimitInAnswerToAuth() {
        try (BrokerFixture f = broker(new SecurityLimits(100, 100, 2, 0, 0, 0))) {
            RelaisClient a = connect(f, "guest");
            RelaisClient b = connect(f, "guest");
            assertThatThrownBy(() -> connect(f, "guest")).isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.CONNECTION_LIMIT))
                    .hasMessageContaining("user 'guest'").hasMessageContaining(BrokerConfig.KEY_MAX_CONNECTIONS_PER_USER);
            try (RelaisClient bob = connect(f, "bob")) {
                assertThat(bob.listQueues().join()).isNotNull();
            }
            a.close();
            awaitConnections(f, 1);
            connect(f, "guest").close();
            b.close();
        }
    }

    @Test
    void shouldRefuseConnectionsIntoAFullVhostInAnswerToAuth() {
        try (BrokerFixture f = broker(new SecurityLimits(100, 100, 0, 2, 0, 0))) {
            RelaisClient a = connect(f, "guest");
            RelaisClient b = connect(f, "bob");
            assertThatThrownBy(() -> connect(f, "bob")).isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.CONNECTION_LIMIT))
                    .hasMessageContaining("vhost '/'").hasMessageContaining(BrokerConfig.KEY_MAX_CONNECTIONS_PER_VHOST);
            a.close();
            b.close();
        }
    }

    @Test
    void shouldRefuseAQueueBeyondTheVhostLimitWithoutClosingTheConnection() {
        try (BrokerFixture f = broker(new SecurityLimits(0, 0, 0, 0, 3, 0))) {
            RelaisClient c = f.client();
            c.declareQueue(QueueDeclaration.named("q1")).join();
            c.declareQueue(QueueDeclaration.serverNamed()).join();
            c.declareQueue(QueueDeclaration.named("q3").exclusive(true)).join();
            // Redeclaring an existing queue is not a new queue.
            c.declareQueue(QueueDeclaration.named("q1")).join();
            assertThatThrownBy(() -> c.declareQueue(QueueDeclaration.named("q4")).join())
                    .isInstanceOf(CompletionException.class).cause().isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.LIMIT_REACHED))
                    .hasMessageContaining("vhost '/'").hasMessageContaining("max-queues-per-vhost: 3");
            assertThat(c.isOpen()).isTrue();
            // A pattern subscription's private queue does not count.
            c.subscribe("", "a.#", m -> { }).join();
            c.deleteQueue("q1", false, false).join();
            c.declareQueue(QueueDeclaration.named("q4")).join();
        }
    }

    @Test
    void shouldRefuseASubscriptionBeyondTheConnectionLimitWithoutClosingIt() {
        try (BrokerFixture f = broker(new SecurityLimits(0, 0, 0, 0, 0, 2))) {
            RelaisClient c = f.client();
            c.declareQueue(QueueDeclaration.named("subs")).join();
            Subscription first = c.subscribe("", "a.#", m -> { }).join();
            c.subscribe("", "b.#", m -> { }).join();
            assertThatThrownBy(() -> c.subscribe("", "c.#", m -> { }).join())
                    .isInstanceOf(CompletionException.class).cause().isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.LIMIT_REACHED))
                    .hasMessageContaining("max-subscriptions-per-connection: 2");
            assertThat(c.isOpen()).isTrue();
            first.cancel().join();
            c.subscribe("", "c.#", m -> { }).join();
            // Another connection has places of its own.
            RelaisClient other = f.client();
            other.subscribe("", "a.#", m -> { }).join();
            other.subscribe("", "b.#", m -> { }).join();
        }
    }

    @Test
    void shouldHaveDefaultsThatStopOneAddressLongBeforeTheGlobalLimitYetLetTheBenchmarkConnect() {
        SecurityLimits d = BrokerConfig.defaults().securityLimits();
        // relais bench's connections scenario opens 1,000 connections from 127.0.0.1, plus its consumer.
        assertThat(d.maxConnectionsPerAddress()).isGreaterThanOrEqualTo(1_100).isLessThan(d.maxConnections() / 2);
        assertThat(d.maxConnectionsPerUser()).isGreaterThanOrEqualTo(1_100);
    }

    private static void awaitConnections(BrokerFixture f, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.broker().connectionCount() != count && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // The limiter's places were given back before the session left the count: on the channel's close
        // (in all, per address) and in the session's close, before it removes itself (per user, per vhost).
    }
}
