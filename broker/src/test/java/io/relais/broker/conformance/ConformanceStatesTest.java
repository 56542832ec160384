package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.conformance.FrameSamples.ClientFrame;
import io.relais.broker.conformance.FrameSamples.Connect;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 3.2, the table of client frames per state, for the states a client reaches by
 * itself: AWAIT_HELLO, AWAIT_AUTH and OPEN (the CLOSING column is {@link ConformanceShutdownTest}).
 * Every row: HELLO, AUTH, HEARTBEAT, CLOSE, CLOSE_OK, each of the 15 frames legal only in OPEN,
 * each of the 12 server-only frame types, and unknown type ids.
 */
@DisplayName("3.2 Legal frames per state: AWAIT_HELLO, AWAIT_AUTH, OPEN")
class ConformanceStatesTest {
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private Peer peer;

    private static Hello hello() {
        return new Hello(1, 1, "states", ProtocolVersion.V1_CAPABILITIES);
    }

    private static Auth auth() {
        return new Auth(ProtocolVersion.MECH_PLAIN, Peer.GUEST, 0);
    }

    /** A connection in AWAIT_HELLO. */
    private static Peer awaitingHello() throws IOException {
        return BROKER.connect();
    }

    /** A connection in AWAIT_AUTH. */
    private static Peer awaitingAuth() throws IOException {
        return BROKER.awaitingAuth();
    }

    /** A connection in OPEN. */
    private static Peer open() throws IOException {
        return BROKER.open();
    }

    private static Stream<DynamicTest> openOnlyAreFatal(String state, Connect connect) {
        return FrameSamples.rows(FrameSamples.openOnly(), "3.2 " + state, "ERROR(0, 2004), close", f -> {
            try (Peer p = connect.connect()) {
                p.send(f.make().apply(1));
                p.expectFatal(ErrorCode.UNEXPECTED_FRAME);
            }
        });
    }

    private static Stream<DynamicTest> serverOnlyAreFatal(String state, Connect connect) {
        return FrameSamples.rows(FrameSamples.serverOnly(), "3.2 " + state + ", server-only",
                "ERROR(0, 2004), close (section 2)", f -> {
                    try (Peer p = connect.connect()) {
                        p.send(f.make().get());
                        p.expectFatal(ErrorCode.UNEXPECTED_FRAME);
                    }
                });
    }

    private static Stream<DynamicTest> unknownTypesAreFatal(String state, Connect connect) {
        return FrameSamples.rows(FrameSamples.unknownTypes(), "3.2 " + state + ", unknown type",
                "ERROR(0, 2003), close (1.6)", t -> {
                    try (Peer p = connect.connect()) {
                        p.sendBytes(t.frame());
                        p.expectFatal(ErrorCode.UNKNOWN_FRAME_TYPE);
                    }
                });
    }

    // ------------------------------------------------------------------------------- AWAIT_HELLO

    @Test
    @DisplayName("3.2 AWAIT_HELLO, HELLO: legal, answered by WELCOME")
    void helloIsLegalInAwaitHello() throws IOException {
        peer = awaitingHello();
        peer.send(hello());
        assertThat(peer.expect(Welcome.class).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("3.2 AWAIT_HELLO, AUTH: ERROR(0, 2004), close (4.3)")
    void authIsUnexpectedInAwaitHello() throws IOException {
        peer = awaitingHello();
        peer.send(auth());
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @Test
    @DisplayName("3.2 AWAIT_HELLO, HEARTBEAT: accepted, unanswered, the state stays AWAIT_HELLO")
    void heartbeatIsAcceptedInAwaitHello() throws IOException {
        peer = awaitingHello();
        peer.send(Heartbeat.INSTANCE);
        peer.send(hello());
        peer.expect(Welcome.class);
    }

    @Test
    @DisplayName("3.2 AWAIT_HELLO, CLOSE: legal, answered by CLOSE_OK and nothing after it (3.5, 4.6)")
    void closeIsLegalInAwaitHello() throws IOException {
        peer = awaitingHello();
        peer.send(new Close(0, "bye"));
        peer.expectCloseOk();
    }

    @Test
    @DisplayName("3.2 AWAIT_HELLO, CLOSE_OK: ERROR(0, 2004), close (4.7)")
    void closeOkIsUnexpectedInAwaitHello() throws IOException {
        peer = awaitingHello();
        peer.send(CloseOk.INSTANCE);
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_HELLO, each frame legal only in OPEN: ERROR(0, 2004), close")
    Stream<DynamicTest> openFramesAreUnexpectedInAwaitHello() {
        return openOnlyAreFatal("AWAIT_HELLO", ConformanceStatesTest::awaitingHello);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_HELLO, each server-only frame type: ERROR(0, 2004), close")
    Stream<DynamicTest> serverFramesAreUnexpectedInAwaitHello() {
        return serverOnlyAreFatal("AWAIT_HELLO", ConformanceStatesTest::awaitingHello);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_HELLO, unknown type ids: ERROR(0, 2003), close")
    Stream<DynamicTest> unknownTypesAreFatalInAwaitHello() {
        return unknownTypesAreFatal("AWAIT_HELLO", ConformanceStatesTest::awaitingHello);
    }

    // -------------------------------------------------------------------------------- AWAIT_AUTH

    @Test
    @DisplayName("3.2 AWAIT_AUTH, HELLO: ERROR(0, 2004), close (4.1)")
    void helloIsUnexpectedInAwaitAuth() throws IOException {
        peer = awaitingAuth();
        peer.send(hello());
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @Test
    @DisplayName("3.2 AWAIT_AUTH, AUTH: legal, answered by READY")
    void authIsLegalInAwaitAuth() throws IOException {
        peer = awaitingAuth();
        peer.send(auth());
        peer.expect(Ready.class);
    }

    @Test
    @DisplayName("3.2 AWAIT_AUTH, HEARTBEAT: accepted, unanswered, the state stays AWAIT_AUTH")
    void heartbeatIsAcceptedInAwaitAuth() throws IOException {
        peer = awaitingAuth();
        peer.send(Heartbeat.INSTANCE);
        peer.send(auth());
        peer.expect(Ready.class);
    }

    @Test
    @DisplayName("3.2 AWAIT_AUTH, CLOSE: legal, answered by CLOSE_OK and nothing after it (3.5, 4.6)")
    void closeIsLegalInAwaitAuth() throws IOException {
        peer = awaitingAuth();
        peer.send(new Close(0, "bye"));
        peer.expectCloseOk();
    }

    @Test
    @DisplayName("3.2 AWAIT_AUTH, CLOSE_OK: ERROR(0, 2004), close (4.7)")
    void closeOkIsUnexpectedInAwaitAuth() throws IOException {
        peer = awaitingAuth();
        peer.send(CloseOk.INSTANCE);
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_AUTH, each frame legal only in OPEN: ERROR(0, 2004), close")
    Stream<DynamicTest> openFramesAreUnexpectedInAwaitAuth() {
        return openOnlyAreFatal("AWAIT_AUTH", ConformanceStatesTest::awaitingAuth);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_AUTH, each server-only frame type: ERROR(0, 2004), close")
    Stream<DynamicTest> serverFramesAreUnexpectedInAwaitAuth() {
        return serverOnlyAreFatal("AWAIT_AUTH", ConformanceStatesTest::awaitingAuth);
    }

    @TestFactory
    @DisplayName("3.2 AWAIT_AUTH, unknown type ids: ERROR(0, 2003), close")
    Stream<DynamicTest> unknownTypesAreFatalInAwaitAuth() {
        return unknownTypesAreFatal("AWAIT_AUTH", ConformanceStatesTest::awaitingAuth);
    }

    // -------------------------------------------------------------------------------------- OPEN

    @Test
    @DisplayName("3.2 OPEN, HELLO: ERROR(0, 2004), close (4.1)")
    void helloIsUnexpectedInOpen() throws IOException {
        peer = open();
        peer.send(hello());
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @Test
    @DisplayName("3.2 OPEN, AUTH: ERROR(0, 2004), close (4.3)")
    void authIsUnexpectedInOpen() throws IOException {
        peer = open();
        peer.send(auth());
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @Test
    @DisplayName("3.2 OPEN, HEARTBEAT: accepted and never answered (4.5)")
    void heartbeatIsAcceptedInOpen() throws IOException {
        peer = open();
        peer.send(Heartbeat.INSTANCE);
        peer.expectOpen();
    }

    @Test
    @DisplayName("3.2 OPEN, CLOSE: legal, answered by CLOSE_OK and nothing after it (3.5, 4.6)")
    void closeIsLegalInOpen() throws IOException {
        peer = open();
        peer.send(new Close(0, "bye"));
        peer.expectCloseOk();
    }

    @Test
    @DisplayName("3.2 OPEN, CLOSE_OK without CLOSE: ERROR(0, 2004), close (4.7)")
    void closeOkIsUnexpectedInOpen() throws IOException {
        peer = open();
        peer.send(CloseOk.INSTANCE);
        peer.expectFatal(ErrorCode.UNEXPECTED_FRAME);
    }

    @TestFactory
    @DisplayName("3.2 OPEN, each frame legal only in OPEN: answered as documented, the connection stays open")
    Stream<DynamicTest> openFramesAreLegalInOpen() {
        return FrameSamples.rows(FrameSamples.openOnly(), "3.2 OPEN", "legal, answered, the connection stays open",
                f -> {
                    try (Peer p = open()) {
                        long id = p.nextRequestId();
                        p.send(f.make().apply(id));
                        checkOpenAnswer(f, id, p.read());
                        p.expectOpen();
                    }
                });
    }

    /** The documented answer, in OPEN, of a frame that is legal only there. */
    private static void checkOpenAnswer(ClientFrame f, long id, Frame answer) {
        switch (f.kind()) {
            case REQUEST -> {
                assertThat(answer).as("the answer to a request (1.7)").isInstanceOf(Answer.class);
                assertThat(((Answer) answer).requestId()).as("request id of %s", answer).isEqualTo(id);
                if (answer instanceof ErrorFrame e) {
                    assertThat(e.code()).as("a request's ERROR is non-fatal (4.8): %s", e).isBetween(1000, 1999);
                }
            }
            case PUBLISH -> assertThat(answer).as("the CONFIRM of seq 1 (4.22)")
                    .isInstanceOfSatisfying(Confirm.class, c -> assertThat(c.seq()).isEqualTo(1));
            case SETTLE -> assertThat(answer).as("ERROR(0, 1009) for a tag that is not outstanding (4.30)")
                    .isInstanceOfSatisfying(ErrorFrame.class, e -> {
                        assertThat(e.requestId()).isZero();
                        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DELIVERY_TAG.code());
                    });
        }
    }

    @TestFactory
    @DisplayName("3.2 OPEN, each server-only frame type: ERROR(0, 2004), close")
    Stream<DynamicTest> serverFramesAreUnexpectedInOpen() {
        return serverOnlyAreFatal("OPEN", ConformanceStatesTest::open);
    }

    @TestFactory
    @DisplayName("3.2 OPEN, unknown type ids: ERROR(0, 2003), close")
    Stream<DynamicTest> unknownTypesAreFatalInOpen() {
        return unknownTypesAreFatal("OPEN", ConformanceStatesTest::open);
    }
}
