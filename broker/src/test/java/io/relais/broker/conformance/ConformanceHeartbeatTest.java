package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.BrokerFixture;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 3.4 and 4.5 (heartbeats, 2007 HEARTBEAT_TIMEOUT), 3.3 step 5 (heartbeat negotiation)
 * and the handshake timeout of 3.3 (2008 HANDSHAKE_TIMEOUT), against a broker that proposes a 300 ms
 * heartbeat and allows one second for the handshake. The server's own heartbeats are the clock: no
 * test sleeps.
 */
@DisplayName("3.3, 3.4, 4.5 Heartbeats and the handshake timeout")
class ConformanceHeartbeatTest {
    private static final long SERVER_HEARTBEAT = 300;
    private static final long CLIENT_HEARTBEAT = 200;
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker(
            c -> c.withTimeouts(Duration.ofMillis(SERVER_HEARTBEAT), Duration.ofSeconds(1)));
    private Peer peer;

    @Test
    @DisplayName("4.2, 3.3 step 5: WELCOME proposes the server's interval; AUTH 0 accepts it")
    void shouldAcceptTheServerProposal() throws IOException {
        peer = BROKER.connect();
        Welcome w = peer.hello(ProtocolVersion.V1_CAPABILITIES);
        assertThat(w.heartbeatMillis()).isEqualTo(SERVER_HEARTBEAT);
        assertThat(peer.auth(0).heartbeatMillis()).isEqualTo(SERVER_HEARTBEAT);
    }

    @Test
    @DisplayName("3.3 step 5: READY carries the smaller of two non-zero proposals")
    void shouldNegotiateTheSmaller() throws IOException {
        peer = BROKER.awaitingAuth();
        assertThat(peer.auth(CLIENT_HEARTBEAT).heartbeatMillis()).isEqualTo(CLIENT_HEARTBEAT);
        try (Peer other = BROKER.awaitingAuth()) {
            assertThat(other.auth(5_000).heartbeatMillis()).isEqualTo(SERVER_HEARTBEAT);
        }
    }

    @Test
    @DisplayName("3.3 step 5: when the server proposes 0, READY carries the client's proposal, or 0 if it is 0 too")
    void shouldTakeTheClientProposalWhenTheServerHasNone() throws IOException {
        try (BrokerFixture quiet = new BrokerFixture(c -> c.withTimeouts(Duration.ZERO, Duration.ofSeconds(10)));
             Peer a = Peer.connect(quiet.port());
             Peer b = Peer.awaitingAuth(quiet.port())) {
            assertThat(a.hello(ProtocolVersion.V1_CAPABILITIES).heartbeatMillis()).isZero();
            assertThat(a.auth(0).heartbeatMillis()).isZero();
            assertThat(b.auth(5_000).heartbeatMillis()).isEqualTo(5_000);
        }
    }

    @Test
    @DisplayName("3.4, 4.5: the server sends HEARTBEAT when it has sent nothing for the interval")
    void shouldSendHeartbeatsWhenIdle() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.auth(CLIENT_HEARTBEAT);
        assertThat(peer.read()).isInstanceOf(Heartbeat.class);
    }

    @Test
    @DisplayName("3.4, 9.1: a client that sends nothing for twice the interval gets ERROR(0, 2007), close")
    void shouldCloseASilentClient() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.auth(CLIENT_HEARTBEAT);
        List<Frame> frames = peer.readUntilClosed();
        assertThat(frames).as("frames until the server closed: its heartbeats, then the error").isNotEmpty();
        assertThat(frames.subList(0, frames.size() - 1)).allMatch(Heartbeat.class::isInstance);
        assertThat(frames.get(frames.size() - 1)).isInstanceOfSatisfying(ErrorFrame.class, e -> {
            assertThat(e.requestId()).isZero();
            assertThat(e.code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT.code());
        });
    }

    @Test
    @DisplayName("3.4, 4.5: client HEARTBEATs keep the connection open past twice the interval, and are never answered")
    void shouldStayOpenWhileTheClientSendsHeartbeats() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.auth(CLIENT_HEARTBEAT);
        for (int i = 0; i < 5; i++) {
            assertThat(peer.read()).as("the server's frame %d: only heartbeats, ours are not answered", i)
                    .isInstanceOf(Heartbeat.class);
            peer.send(Heartbeat.INSTANCE);
        }
        expectOpenAmongHeartbeats();
    }

    @Test
    @DisplayName("3.4: any frame counts as traffic: requests alone keep the connection open past twice the interval")
    void shouldCountAnyFrameAsTraffic() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.auth(CLIENT_HEARTBEAT);
        for (int i = 0; i < 5; i++) {
            assertThat(peer.read()).isInstanceOf(Heartbeat.class);
            peer.send(new ExchangeList(peer.nextRequestId()));
            assertThat(peer.read()).isInstanceOf(ExchangeListOk.class);
        }
        expectOpenAmongHeartbeats();
    }

    /** The connection answers a request; heartbeats may come first. */
    private void expectOpenAmongHeartbeats() throws IOException {
        long id = peer.nextRequestId();
        peer.send(new ExchangeList(id));
        Frame f;
        do {
            f = peer.read();
        } while (f instanceof Heartbeat);
        assertThat(f).isInstanceOfSatisfying(ExchangeListOk.class, ok -> assertThat(ok.requestId()).isEqualTo(id));
    }

    @Test
    @DisplayName("3.3, 4.1, 9.1: no HELLO within the handshake timeout is ERROR(0, 2008), close")
    void shouldTimeOutInAwaitHello() throws IOException {
        peer = BROKER.connect();
        peer.expectFatal(ErrorCode.HANDSHAKE_TIMEOUT);
    }

    @Test
    @DisplayName("3.3, 4.3, 9.1: no AUTH within the handshake timeout is ERROR(0, 2008), close")
    void shouldTimeOutInAwaitAuth() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.expectFatal(ErrorCode.HANDSHAKE_TIMEOUT);
    }
}
