package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.channel.EventLoopGroup;
import io.relais.client.AuthenticationException;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Hello;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectTest {
    private MockServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private MockServer start(MockServer.Handshake handshake) throws InterruptedException {
        server = new MockServer().handshake(handshake).start();
        return server;
    }

    @Test
    void shouldOpenWhenHandshakeSucceeds() throws Exception {
        start(MockServer.Handshake.NORMAL);
        try (RelaisClient client = server.clientBuilder().clientName("test-app").heartbeat(Duration.ofSeconds(7))
                .connect()) {
            assertThat(client.isOpen()).isTrue();
            assertThat(client.connectionId()).isEqualTo(MockServer.CONNECTION_ID);

            Hello hello = server.hello().get(1, TimeUnit.SECONDS);
            assertThat(hello.minVersion()).isEqualTo(1);
            assertThat(hello.maxVersion()).isEqualTo(1);
            assertThat(hello.clientName()).isEqualTo("test-app");
            assertThat(hello.capabilities()).containsExactlyElementsOf(ProtocolVersion.CAPABILITIES);

            Auth auth = server.auth().get(1, TimeUnit.SECONDS);
            assertThat(auth.mechanism()).isEqualTo("PLAIN");
            assertThat(new String(auth.response(), StandardCharsets.UTF_8)).isEqualTo("\0guest\0guest");
            assertThat(auth.heartbeatMillis()).isEqualTo(7000);
        }
    }

    @Test
    void shouldConnectAsynchronouslyWhenHandshakeSucceeds() throws Exception {
        start(MockServer.Handshake.NORMAL);
        RelaisClient client = server.clientBuilder().connectAsync().get(5, TimeUnit.SECONDS);
        assertThat(client.isOpen()).isTrue();
        client.close();
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void shouldRunOnIoThreadsOfItsOwnAndStopThemWhenClosedWhenGivenIoThreads() throws Exception {
        start(MockServer.Handshake.NORMAL);
        RelaisClient client = server.clientBuilder().ioThreads(1).connect();
        EventLoopGroup group = ((ClientFacade) client).eventLoopGroup();
        assertThat(group).isNotSameAs(SharedEventLoops.group());
        String ioThread = ((ClientFacade) client).currentConnection().channel().eventLoop()
                .submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        assertThat(ioThread).startsWith(SharedEventLoops.OWN_THREAD_PREFIX + "-");

        client.close();

        assertThat(group.terminationFuture().await(5, TimeUnit.SECONDS)).as("own I/O threads stopped").isTrue();
        try (RelaisClient shared = server.clientBuilder().connect()) {
            assertThat(((ClientFacade) shared).eventLoopGroup()).isSameAs(SharedEventLoops.group());
        }
        assertThatThrownBy(() -> RelaisClient.builder().ioThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldFailWithAuthenticationFailedWhenCredentialsAreWrong() throws Exception {
        start(MockServer.Handshake.NORMAL);
        RelaisException e = catchThrowableOfType(RelaisException.class,
                () -> server.clientBuilder().password("wrong").connect());
        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.rawCode()).isEqualTo(2006);
    }

    @Test
    void shouldFailWithAuthenticationFailedWhenServerSendsErrorOnAuth() throws Exception {
        start(MockServer.Handshake.ERROR_ON_AUTH);
        assertThatThrownBy(() -> server.clientBuilder().connect())
                .isInstanceOfSatisfying(RelaisException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED));
    }

    @Test
    void shouldFailWithUnsupportedVersionWhenServerSendsErrorOnHello() throws Exception {
        start(MockServer.Handshake.ERROR_ON_HELLO);
        assertThatThrownBy(() -> server.clientBuilder().connect())
                .isInstanceOfSatisfying(RelaisException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
                    assertThat(e).hasMessage("no common protocol version");
                });
    }

    @Test
    void shouldFailWithoutCodeWhenServerClosesAfterHello() throws Exception {
        start(MockServer.Handshake.CLOSE_AFTER_HELLO);
        assertThatThrownBy(() -> server.clientBuilder().connect())
                .isInstanceOfSatisfying(RelaisException.class, e -> {
                    assertThat(e.code()).isNull();
                    assertThat(e.rawCode()).isZero();
                    assertThat(e).hasMessageContaining("during the handshake (waiting for WELCOME)");
                });
    }

    @Test
    void shouldFailWhenServerOffersNoMechanismTheClientSpeaks() throws Exception {
        start(MockServer.Handshake.NO_PLAIN);
        assertThatThrownBy(() -> server.clientBuilder().connect())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("offers no mechanism this client speaks");
    }

    @Test
    void shouldLogInWithScramAndNeverSendThePasswordWhenTheServerOffersIt() throws Exception {
        start(MockServer.Handshake.SCRAM);
        try (RelaisClient client = server.clientBuilder().connect()) {
            assertThat(client.connectionId()).isEqualTo(MockServer.CONNECTION_ID);
        }
        Auth auth = server.auth().get(5, TimeUnit.SECONDS);
        assertThat(auth.mechanism()).isEqualTo("SCRAM-SHA-256");
        assertThat(new String(auth.response(), StandardCharsets.UTF_8)).as("the client-first-message: no password")
                .matches("n,,n=guest,r=[A-Za-z0-9+/]{24}");
    }

    @Test
    void shouldRefuseAServerWhoseScramSignatureIsWrongWhenItSendsReady() throws Exception {
        start(MockServer.Handshake.SCRAM_WRONG_SIGNATURE);
        assertThatThrownBy(() -> server.clientBuilder().connect())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("the server's signature is wrong");
    }

    @Test
    void shouldTimeOutWhenServerNeverAnswersHello() throws Exception {
        start(MockServer.Handshake.SILENT_AFTER_HELLO);
        long start = System.nanoTime();
        assertThatThrownBy(() -> server.clientBuilder().connectTimeout(Duration.ofMillis(300)).connect())
                .isInstanceOfSatisfying(RelaisException.class, e -> {
                    assertThat(e.code()).isNull();
                    assertThat(e).hasMessage("timed out after 300ms waiting for WELCOME from " + server.address());
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        server.disconnected().get(2, TimeUnit.SECONDS);
    }

    @Test
    void shouldTimeOutWhenServerNeverAnswersAuth() throws Exception {
        start(MockServer.Handshake.SILENT_AFTER_AUTH);
        assertThatThrownBy(() -> server.clientBuilder().connectTimeout(Duration.ofMillis(300)).connect())
                .isInstanceOf(RelaisException.class)
                .hasMessageContaining("waiting for READY");
    }

    @Test
    void shouldFailWithClearMessageWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> RelaisClient.builder().port(port).connect())
                .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isNull())
                .hasMessage("cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void shouldFailTheFutureWhenConnectingAsynchronouslyFails() throws Exception {
        start(MockServer.Handshake.ERROR_ON_AUTH);
        assertThatThrownBy(() -> server.clientBuilder().connectAsync().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(RelaisException.class);
    }

    @Test
    void shouldParseHostAndPortWhenGivenServerAddress() {
        // Through the builder: an unreachable port proves the parsed address is used.
        assertThatThrownBy(() -> RelaisClient.builder().server("127.0.0.1:1").connect())
                .hasMessageStartingWith("cannot connect to 127.0.0.1:1: ");
        assertThatThrownBy(() -> RelaisClient.builder().server("localhost:x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
