package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 3.3 (handshake: version and capability negotiation, authentication), 4.1 HELLO,
 * 4.2 WELCOME, 4.3 AUTH, 4.4 READY and the observable server defaults of section 12, against a
 * broker with the default configuration.
 */
@DisplayName("3.3, 4.1-4.4 Handshake")
class ConformanceHandshakeTest {
    @RegisterExtension
    /**
     * Failed logins here are the point, not the delay they earn the address (auth.failure-delay, tested by
     * LoginThrottleTest and UsersEndToEndTest): off, so that the next test's login is not delayed.
     */
    static final ConformanceBroker BROKER = new ConformanceBroker(c -> c.withAuth(
            c.auth().withFailureDelay(Duration.ZERO, Duration.ZERO)));
    private Peer peer;

    private static Auth plain(String response) {
        return new Auth(ProtocolVersion.MECH_PLAIN, response.getBytes(StandardCharsets.UTF_8), 0);
    }

    /** A connection in AWAIT_AUTH that asked for {@code capabilities}. */
    private Peer awaitingAuth(List<String> capabilities) throws IOException {
        peer = BROKER.connect();
        peer.hello(capabilities);
        return peer;
    }

    // ------------------------------------------------------------------------- HELLO / WELCOME

    @Test
    @DisplayName("4.2, 12: WELCOME carries version 1, 'relais', every capability, PLAIN only, 16 MiB frames, 30 s "
            + "heartbeat")
    void shouldDescribeTheServerInWelcome() throws IOException {
        peer = BROKER.connect();
        Welcome w = peer.hello(List.of());
        assertThat(w.version()).isEqualTo(1);
        assertThat(w.serverName()).isEqualTo("relais");
        assertThat(w.capabilities()).as("every capability the server supports, whatever HELLO asked for (3.3 step 3)")
                .containsExactlyInAnyOrderElementsOf(ProtocolVersion.CAPABILITIES);
        assertThat(w.mechanisms()).as("auth.anonymous is off by default (12)").containsExactly("PLAIN");
        assertThat(w.maxFrameSize()).isEqualTo(16_777_216L);
        assertThat(w.heartbeatMillis()).isEqualTo(30_000L);
    }

    @Test
    @DisplayName("3.3 step 2: HELLO with versions 1..5 gets WELCOME with version 1, the highest in common")
    void shouldPickTheHighestCommonVersion() throws IOException {
        peer = BROKER.connect();
        peer.send(new Hello(1, 5, "newer", ProtocolVersion.V1_CAPABILITIES));
        assertThat(peer.expect(Welcome.class).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("3.3 step 2, 4.1: HELLO with versions 2..3 (none in common) is ERROR(0, 2005), close")
    void shouldRefuseWhenNoVersionIsShared() throws IOException {
        peer = BROKER.connect();
        peer.send(new Hello(2, 3, "future", List.of()));
        peer.expectFatal(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    @DisplayName("3.3 step 2: HELLO with min_version > max_version (2..1) is ERROR(0, 2005), close")
    void shouldRefuseAnEmptyVersionRange() throws IOException {
        peer = BROKER.connect();
        peer.send(new Hello(2, 1, "backwards", List.of()));
        peer.expectFatal(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    @DisplayName("1.6 rule 3, 3.3 step 3: unknown capabilities in HELLO are ignored")
    void shouldIgnoreUnknownCapabilities() throws IOException {
        peer = awaitingAuth(List.of("confirms", "from-the-future", "CONFIRMS"));
        peer.auth(0);
        peer.send(Peer.publish(1, "", "handshake.k", "x"));
        assertThat(peer.expect(Confirm.class).ack()).isTrue();
    }

    // ------------------------------------------------------------------- effective capabilities

    @Test
    @DisplayName("3.3 step 3, 4.22: without 'confirms', PUBLISH with seq > 0 is ERROR(0, 1005) and not routed")
    void shouldRefuseSeqWithoutConfirms() throws IOException {
        peer = awaitingAuth(List.of("returns", "manual-ack", "server-cancel"));
        peer.auth(0);
        peer.declareBoundQueue("handshake.noconfirms");
        peer.send(Peer.publish(1, "", "handshake.noconfirms", "x"));
        peer.expectError(0, ErrorCode.INVALID_ARGUMENT);
        QueueDeclareOk q = peer.call(id -> new QueueDeclare(id, "handshake.noconfirms", false, false, false, true,
                Map.of()), QueueDeclareOk.class);
        assertThat(q.messageCount()).as("messages in the queue: the refused publish was not routed").isZero();
    }

    @Test
    @DisplayName("3.3 step 3, 4.22: without 'returns', a mandatory PUBLISH with seq 0 is ERROR(0, 1005)")
    void shouldRefuseMandatoryWithoutReturns() throws IOException {
        peer = awaitingAuth(List.of("confirms", "manual-ack", "server-cancel"));
        peer.auth(0);
        peer.send(Peer.publish(0, "", "handshake.k", Publish.MANDATORY, null, "x"));
        peer.expectError(0, ErrorCode.INVALID_ARGUMENT);
        peer.expectOpen();
    }

    @Test
    @DisplayName("3.3 step 3, 4.22, 4.23: without 'returns', a mandatory PUBLISH with seq > 0 is a negative "
            + "CONFIRM(seq, 1005)")
    void shouldNackMandatoryWithSeqWithoutReturns() throws IOException {
        peer = awaitingAuth(List.of("confirms", "manual-ack", "server-cancel"));
        peer.auth(0);
        peer.send(Peer.publish(1, "", "handshake.k", Publish.MANDATORY, null, "x"));
        Frame f = peer.read();
        assertThat(f).as("the publish's one confirmation (4.23: every seq is confirmed exactly once)")
                .isInstanceOf(Confirm.class);
        Confirm c = (Confirm) f;
        assertThat(c.seq()).isEqualTo(1);
        assertThat(c.ack()).isFalse();
        assertThat(c.multiple()).isFalse();
        assertThat(c.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        peer.expectOpen();
    }

    @Test
    @DisplayName("3.3 step 3, 4.25: without 'manual-ack', SUBSCRIBE with manual_ack is ERROR(request_id, 1005)")
    void shouldRefuseManualAckWithoutTheCapability() throws IOException {
        peer = awaitingAuth(List.of("confirms", "returns", "server-cancel"));
        peer.auth(0);
        peer.callError(id -> new Subscribe(id, 1, "", "", "handshake.#", 0, true, false), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("3.3 step 3, 4.28: without 'server-cancel', deleting a subscribed queue sends no CANCELLED")
    void shouldNotSendCancelledWithoutServerCancel() throws IOException {
        peer = awaitingAuth(List.of("confirms", "returns", "manual-ack"));
        peer.auth(0);
        peer.declareQueue("handshake.nocancel");
        peer.subscribe(1, "handshake.nocancel", false, 0);
        long delete = peer.nextRequestId();
        peer.send(new QueueDelete(delete, "handshake.nocancel", false, false));
        long probe = peer.nextRequestId();
        peer.send(new ExchangeList(probe));
        List<Frame> frames = peer.readUntilAnswered(delete, probe);
        assertThat(frames).as("frames up to the answers of QUEUE_DELETE and a later EXCHANGE_LIST")
                .noneMatch(Cancelled.class::isInstance);
    }

    @Test
    @DisplayName("3.3 step 3, 4.28: with 'server-cancel', deleting a subscribed queue sends CANCELLED(sid, 1011)")
    void shouldSendCancelledWithServerCancel() throws IOException {
        peer = BROKER.open();
        peer.declareQueue("handshake.cancel");
        peer.subscribe(7, "handshake.cancel", false, 0);
        long delete = peer.nextRequestId();
        peer.send(new QueueDelete(delete, "handshake.cancel", false, false));
        List<Frame> frames = peer.read(2);
        Cancelled c = Peer.only(frames, Cancelled.class);
        assertThat(c.sid()).isEqualTo(7);
        assertThat(c.code()).isEqualTo(ErrorCode.QUEUE_DELETED.code());
        assertThat(Peer.only(frames, Ok.class).requestId()).isEqualTo(delete);
    }

    // ------------------------------------------------------------------------------ AUTH / READY

    @Test
    @DisplayName("4.4, 3.3 step 6: READY carries a connection id of at most 64 bytes without '.', '*' or '#'")
    void shouldGiveAConnectionIdThatIsOneWord() throws IOException {
        peer = BROKER.awaitingAuth();
        Ready r = peer.auth(0);
        assertThat(r.connectionId().getBytes(StandardCharsets.UTF_8).length).isBetween(1, 64);
        assertThat(r.connectionId()).doesNotContain(".", "*", "#");
    }

    @Test
    @DisplayName("4.4: connection ids are unique among the server's current connections")
    void shouldGiveEveryConnectionItsOwnId() throws IOException {
        peer = BROKER.open();
        try (Peer other = BROKER.open()) {
            assertThat(other.connectionId()).isNotEqualTo(peer.connectionId());
        }
    }

    @Test
    @DisplayName("3.3 step 5: heartbeat 0 in AUTH accepts the server's 30000")
    void shouldTakeTheServerHeartbeatWhenTheClientSaysZero() throws IOException {
        peer = BROKER.awaitingAuth();
        assertThat(peer.auth(0).heartbeatMillis()).isEqualTo(30_000);
    }

    @Test
    @DisplayName("3.3 step 5: the negotiated heartbeat is the smaller of two non-zero proposals")
    void shouldNegotiateTheSmallerHeartbeat() throws IOException {
        peer = BROKER.awaitingAuth();
        assertThat(peer.auth(10_000).heartbeatMillis()).isEqualTo(10_000);
        try (Peer other = BROKER.awaitingAuth()) {
            assertThat(other.auth(60_000).heartbeatMillis()).isEqualTo(30_000);
        }
    }

    @Test
    @DisplayName("3.3 step 4: PLAIN with an authzid equal to the username is accepted")
    void shouldAcceptAnAuthzidEqualToTheUser() throws IOException {
        peer = BROKER.awaitingAuth();
        peer.send(plain("guest\0guest\0guest"));
        peer.expect(Ready.class);
    }

    /** An AUTH the server must refuse. */
    private record Refused(String name, Auth auth) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TestFactory
    @DisplayName("3.3 step 4, 4.3: each refused AUTH is ERROR(0, 2006), close (one attempt only)")
    Stream<DynamicTest> shouldRefuseBadCredentialsAndMechanisms() {
        List<Refused> rows = List.of(
                new Refused("a wrong password", plain("\0guest\0wrong")),
                new Refused("an unknown user", plain("\0nobody\0guest")),
                new Refused("an authzid different from the username", plain("admin\0guest\0guest")),
                new Refused("a malformed PLAIN response without NUL", plain("guestguest")),
                new Refused("a malformed PLAIN response with one NUL", plain("guest\0guest")),
                new Refused("ANONYMOUS, not offered in WELCOME",
                        new Auth(ProtocolVersion.MECH_ANONYMOUS, new byte[0], 0)),
                new Refused("'plain' (mechanism names are case-sensitive)", new Auth("plain", Peer.GUEST, 0)),
                new Refused("an unknown mechanism", new Auth("SCRAM-SHA-256", Peer.GUEST, 0)));
        return FrameSamples.rows(rows, "3.3 step 4, AUTH with", "ERROR(0, 2006), close", r -> {
            try (Peer p = BROKER.awaitingAuth()) {
                p.send(r.auth());
                p.expectFatal(ErrorCode.AUTHENTICATION_FAILED);
            }
        });
    }
}
