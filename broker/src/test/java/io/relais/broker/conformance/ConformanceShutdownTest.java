package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.BrokerFixture;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md 3.2, the CLOSING column of the client-frame table (the server sent CLOSE), and the
 * server shutdown of 3.5 (CLOSE with 2009 on every connection). The server enters CLOSING only when
 * it shuts down, so every test here starts its own broker and stops it; stopping waits for the
 * test's connection to end, which every test makes happen at once.
 */
@ExtendWith(LeakCheck.class)
@DisplayName("3.2, 3.5 CLOSING: the server sent CLOSE because it shuts down")
class ConformanceShutdownTest {

    /** A broker of its own and one connection to it; {@link #shutDown()} starts stopping the broker. */
    private static final class Stopping implements AutoCloseable {
        private final BrokerFixture broker = new BrokerFixture();
        private CompletableFuture<Void> stopped;

        int port() {
            return broker.port();
        }

        /**
         * Waits until the broker has taken the test's connection in: a connection the kernel has
         * but the broker has not accepted yet is refused by the shutdown, with no frame.
         */
        void awaitConnection() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (broker.broker().connectionCount() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(broker.broker().connectionCount()).as("connections the broker has accepted").isEqualTo(1);
        }

        /** Starts the shutdown on another thread: {@code Broker.close()} waits for the connections. */
        void shutDown() {
            stopped = CompletableFuture.runAsync(broker.broker()::close);
        }

        /** A connection in OPEN, then the shutdown, then the CLOSE(2009) it brings: the connection is in CLOSING. */
        Peer closing() throws IOException {
            Peer p = Peer.open(port());
            shutDown();
            expectShutdownClose(p);
            return p;
        }

        @Override
        public void close() {
            broker.close();
            if (stopped != null) {
                stopped.join();
            }
        }
    }

    /** The next frame is CLOSE(2009, reason) (3.5 Server shutdown, 4.6, 9.1). */
    private static void expectShutdownClose(Peer p) throws IOException {
        Close close = p.expect(Close.class);
        assertThat(close.code()).as("code of %s", close).isEqualTo(ErrorCode.SERVER_SHUTDOWN.code());
    }

    /** Sends {@code frame} in CLOSING, then CLOSE_OK: the server answers nothing and closes the socket. */
    private static void expectDiscarded(LongFunction<Frame> frame) throws IOException {
        try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
            p.send(frame.apply(p.nextRequestId()));
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.5 Server shutdown: an OPEN connection gets CLOSE(2009), and CLOSE_OK makes the server close it")
    void shutdownClosesOpenConnectionsWithClose() throws IOException {
        try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.2 server frames, 3.5: a connection in AWAIT_HELLO gets CLOSE(2009) on shutdown")
    void shutdownSendsCloseInAwaitHello() throws IOException {
        try (Stopping broker = new Stopping(); Peer p = Peer.connect(broker.port())) {
            p.send(Heartbeat.INSTANCE);
            broker.awaitConnection();
            broker.shutDown();
            expectShutdownClose(p);
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.2 server frames, 3.5: a connection in AWAIT_AUTH gets CLOSE(2009) on shutdown")
    void shutdownSendsCloseInAwaitAuth() throws IOException {
        try (Stopping broker = new Stopping(); Peer p = Peer.awaitingAuth(broker.port())) {
            broker.shutDown();
            expectShutdownClose(p);
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.2 CLOSING, CLOSE_OK: legal, the server closes the socket")
    void closeOkIsLegalInClosing() throws IOException {
        try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.2 CLOSING, CLOSE: answered with CLOSE_OK (simultaneous close, 3.5 step 4, 4.6)")
    void closeIsAnsweredWithCloseOkInClosing() throws IOException {
        try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
            p.send(new Close(0, "bye"));
            p.expect(CloseOk.class);
            p.send(CloseOk.INSTANCE);
            p.expectClosedWithoutFrames();
        }
    }

    @Test
    @DisplayName("3.2 CLOSING, HELLO: discarded")
    void helloIsDiscardedInClosing() throws IOException {
        expectDiscarded(id -> new Hello(1, 1, "late", ProtocolVersion.V1_CAPABILITIES));
    }

    @Test
    @DisplayName("3.2 CLOSING, AUTH: discarded")
    void authIsDiscardedInClosing() throws IOException {
        expectDiscarded(id -> new Auth(ProtocolVersion.MECH_PLAIN, Peer.GUEST, 0));
    }

    @Test
    @DisplayName("3.2 CLOSING, HEARTBEAT: discarded")
    void heartbeatIsDiscardedInClosing() throws IOException {
        expectDiscarded(id -> Heartbeat.INSTANCE);
    }

    @TestFactory
    @DisplayName("3.2 CLOSING, each frame legal only in OPEN: discarded (3.5: discarded publishes are never confirmed)")
    Stream<DynamicTest> openFramesAreDiscardedInClosing() {
        return FrameSamples.rows(FrameSamples.openOnly(), "3.2 CLOSING", "discarded, nothing answered",
                f -> expectDiscarded(f.make()));
    }

    @TestFactory
    @DisplayName("3.2 CLOSING, each server-only frame type: ERROR(0, 2004), close")
    Stream<DynamicTest> serverFramesAreUnexpectedInClosing() {
        return FrameSamples.rows(FrameSamples.serverOnly(), "3.2 CLOSING, server-only", "ERROR(0, 2004), close",
                f -> {
                    try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
                        p.send(f.make().get());
                        p.expectFatal(ErrorCode.UNEXPECTED_FRAME);
                    }
                });
    }

    @TestFactory
    @DisplayName("3.2 CLOSING, unknown type ids: ERROR(0, 2003), close")
    Stream<DynamicTest> unknownTypesAreFatalInClosing() {
        List<FrameSamples.UnknownType> some = FrameSamples.unknownTypes().subList(0, 4);
        return FrameSamples.rows(some, "3.2 CLOSING, unknown type", "ERROR(0, 2003), close", t -> {
            try (Stopping broker = new Stopping(); Peer p = broker.closing()) {
                p.sendBytes(t.frame());
                p.expectFatal(ErrorCode.UNKNOWN_FRAME_TYPE);
            }
        });
    }
}
