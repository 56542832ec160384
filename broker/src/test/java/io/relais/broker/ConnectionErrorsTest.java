package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Welcome;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input closes one connection with an error frame; everyone else keeps being served. */
@ExtendWith(LeakCheck.class)
class ConnectionErrorsTest {
    private BrokerFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ErrorFrame lastError(List<Frame> frames) {
        assertThat(frames).isNotEmpty();
        assertThat(frames.get(frames.size() - 1)).isInstanceOf(ErrorFrame.class);
        return (ErrorFrame) frames.get(frames.size() - 1);
    }

    /** Pub/sub between two fresh clients still works. */
    private void assertBrokerServes() throws Exception {
        RelaisClient sub = fixture.client();
        RelaisClient pub = fixture.client();
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        sub.subscribe("", "still.#", d -> got.add(d.payloadAsString())).join();
        pub.publishConfirmed(Message.builder("still.alive").payload("yes").build()).join();
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("yes");
    }

    @Test
    void shouldCloseOnlyThatConnectionWhenRandomBytesArrive() throws Exception {
        fixture = new BrokerFixture();
        RelaisClient bystander = fixture.client();
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        bystander.subscribe("", "bystander", d -> got.add(d.payloadAsString())).join();
        byte[] garbage = new byte[64 * 1024];
        for (long seed = 0; seed < 3; seed++) {
            new Random(seed).nextBytes(garbage);
            try (RawConnection raw = new RawConnection(fixture.port())) {
                raw.sendRaw(garbage);
                ErrorFrame error = lastError(raw.readUntilClosed());
                assertThat(ErrorCode.of(error.code()).closesConnection()).isTrue();
            }
        }
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            raw.sendRaw(garbage);
            ErrorFrame error = lastError(raw.readUntilClosed());
            assertThat(ErrorCode.of(error.code()).closesConnection()).isTrue();
        }
        assertThat(bystander.isOpen()).isTrue();
        bystander.publishConfirmed(Message.builder("bystander").payload("ok").build()).join();
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertBrokerServes();
    }

    @Test
    void shouldCloseWithTooLargeWhenFrameExceedsHandshakeLimit() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.sendRaw(new byte[] {0x00, 0x10, 0x00, 0x00});
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
        }
        assertBrokerServes();
    }

    @Test
    void shouldCloseWithUnexpectedFrameWhenRequestComesBeforeHandshake() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.send(new QueueList(1));
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.UNEXPECTED_FRAME.code());
        }
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            raw.send(new Hello(1, 1, "again", List.of()));
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.UNEXPECTED_FRAME.code());
        }
    }

    @Test
    void shouldCloseWithUnsupportedVersionWhenNoVersionIsShared() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.send(new Hello(7, 9, "future", List.of()));
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION.code());
        }
    }

    @Test
    void shouldNegotiateVersionAndCapabilitiesWhenClientOffersARange() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.send(new Hello(1, 5, "newer", List.of("confirms", "from-the-future")));
            Welcome welcome = (Welcome) raw.read();
            assertThat(welcome.version()).isEqualTo(ProtocolVersion.V1);
            assertThat(welcome.mechanisms()).containsExactly(ProtocolVersion.MECH_PLAIN);
            assertThat(welcome.maxFrameSize()).isEqualTo(16 * 1024 * 1024);
        }
    }

    @Test
    void shouldAnswerErrorAndStayOpenWhenAckNamesUnknownTag() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            raw.send(new Ack(42, false));
            ErrorFrame error = (ErrorFrame) raw.read();
            assertThat(error.code()).isEqualTo(ErrorCode.UNKNOWN_DELIVERY_TAG.code());
            assertThat(error.requestId()).isZero();
            raw.send(new ExchangeList(5));
            assertThat(raw.read()).isInstanceOfSatisfying(ExchangeListOk.class,
                    ok -> assertThat(ok.requestId()).isEqualTo(5));
        }
    }

    @Test
    void shouldCloseWithHeartbeatTimeoutWhenClientGoesSilent() throws Exception {
        fixture = new BrokerFixture(c -> c.withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(10)));
        try (RawConnection raw = new RawConnection(fixture.port())) {
            Ready ready = raw.handshake(100);
            assertThat(ready.heartbeatMillis()).isEqualTo(100);
            List<Frame> frames = raw.readUntilClosed();
            assertThat(frames).anySatisfy(f -> assertThat(f).isInstanceOf(Heartbeat.class));
            assertThat(lastError(frames).code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT.code());
        }
    }

    @Test
    void shouldStayOpenWhenClientSendsHeartbeats() throws Exception {
        fixture = new BrokerFixture(c -> c.withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(10)));
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(100);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            while (System.nanoTime() < end) {
                raw.send(Heartbeat.INSTANCE);
                Thread.sleep(50);
            }
            raw.send(new ExchangeList(9));
            Frame f;
            do {
                f = raw.read();
            } while (f instanceof Heartbeat);
            assertThat(f).isInstanceOf(ExchangeListOk.class);
        }
    }

    @Test
    void shouldCloseWithHandshakeTimeoutWhenHelloNeverComes() throws Exception {
        fixture = new BrokerFixture(c -> c.withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(200)));
        try (RawConnection raw = new RawConnection(fixture.port())) {
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.HANDSHAKE_TIMEOUT.code());
        }
    }

    @Test
    void shouldAnswerCloseOkWhenClientCloses() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            raw.send(new Close(0, "bye"));
            List<Frame> frames = raw.readUntilClosed();
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0)).isInstanceOf(CloseOk.class);
        }
    }

    @Test
    void shouldCloseWithUnexpectedFrameWhenCloseOkArrivesWithoutServerClose() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            raw.send(CloseOk.INSTANCE);
            assertThat(lastError(raw.readUntilClosed()).code()).isEqualTo(ErrorCode.UNEXPECTED_FRAME.code());
        }
        assertBrokerServes();
    }

    @Test
    void shouldAnswerCloseOkWhenClientClosesWhileServerShutsDown() throws Exception {
        fixture = new BrokerFixture();
        try (RawConnection raw = new RawConnection(fixture.port())) {
            raw.handshake(0);
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> fixture.broker().close());
            assertThat(raw.read()).isInstanceOfSatisfying(Close.class,
                    c -> assertThat(c.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN.code()));
            raw.send(new Close(0, "closing too"));
            List<Frame> frames = raw.readUntilClosed();
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0)).isInstanceOf(CloseOk.class);
            shutdown.get(10, TimeUnit.SECONDS);
        }
    }
}
