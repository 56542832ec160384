package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.ssl.OpenSsl;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.config.SecurityLimits;
import io.relais.broker.config.TlsConfig;
import io.relais.broker.net.Session;
import io.relais.client.ExchangeType;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.TlsOptions;
import io.relais.client.testing.TestCertificates;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener on a real broker, with certificates made by openssl for the test: the Java client and
 * {@code openssl s_client} complete a handshake (TLS 1.3 and 1.2, nothing older), with the OpenSSL engine and
 * with the JDK's; a plaintext client on the TLS port is closed cleanly with one log line; a client certificate
 * from another CA is refused at the handshake; a TLS-only broker has no plaintext port; a reload swaps the
 * certificate for new handshakes and keeps open connections; bad PEM files stop start-up naming their key; and
 * EXTERNAL takes the user from a trusted client certificate.
 */
class TlsListenerTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(dir);
        certs.client("guest-client", "guest");
        certs.client("carol-client", "carol");
        certs.client("stranger", "stranger");
        certs.client("foreign-guest", "guest", "other-ca");
    }

    private static TlsConfig tls(boolean only, TlsConfig.Provider provider) {
        return TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), certs.ca(), only).withProvider(provider);
    }

    private static BrokerFixture broker(TlsConfig tls) {
        return new BrokerFixture(c -> c.withTls(tls)
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("guest", "guest", "carol", "carol-password"), false)));
    }

    private static RelaisClient.Builder client(Broker broker, TlsOptions tls) {
        return RelaisClient.builder().host("127.0.0.1").port(broker.tlsPort()).tls(tls)
                .requestTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void shouldCarryTheProtocolOverTlsWhenTheClientTrustsTheCa(TlsConfig.Provider provider) {
        assumeTrue(provider != TlsConfig.Provider.OPENSSL || OpenSsl.isAvailable(), "netty-tcnative does not load");
        try (BrokerFixture f = broker(tls(false, provider));
             RelaisClient c = client(f.broker(), TlsOptions.trustPem(certs.ca())).connect()) {
            assertThat(f.broker().tlsProvider()).isEqualTo(provider.word());
            c.declareExchange("tls.x", ExchangeType.TOPIC, false, false).join();
            c.declareQueue(QueueDeclaration.named("tls.q")).join();
            assertThat(c.listQueues().join()).anyMatch(q -> q.name().equals("tls.q"));
            // The plaintext port still serves plaintext clients.
            try (RelaisClient plain = RelaisClient.builder().port(f.port()).connect()) {
                assertThat(plain.listQueues().join()).anyMatch(q -> q.name().equals("tls.q"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void shouldCompleteAHandshakeWithOpensslSClientInTls13And12ButNotOlder(TlsConfig.Provider provider) {
        assumeTrue(provider != TlsConfig.Provider.OPENSSL || OpenSsl.isAvailable(), "netty-tcnative does not load");
        try (BrokerFixture f = broker(tls(false, provider))) {
            String address = "127.0.0.1:" + f.broker().tlsPort();
            String tls13 = certs.openssl("s_client", "-connect", address, "-CAfile", certs.ca().toString(),
                    "-verify_return_error", "-verify_ip", "127.0.0.1", "-brief");
            assertThat(tls13).contains("Protocol version: TLSv1.3").contains("Verification: OK");
            String tls12 = certs.openssl("s_client", "-connect", address, "-CAfile", certs.ca().toString(),
                    "-verify_return_error", "-tls1_2", "-brief");
            assertThat(tls12).contains("Protocol version: TLSv1.2").contains("Verification: OK");
            assertThatThrownBy(() -> certs.openssl("s_client", "-connect", address, "-CAfile", certs.ca().toString(),
                    "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-brief"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
        }
    }

    @Test
    void shouldCloseAPlaintextClientOnTheTlsPortCleanlyWithOneLogLine() throws IOException {
        ListAppender<ILoggingEvent> lines = captureSessionLog();
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO));
             RawConnection raw = new RawConnection(f.broker().tlsPort())) {
            raw.send(new Hello(1, 1, "plaintext", ProtocolVersion.V1_CAPABILITIES));
            InputStream in = raw.socket().getInputStream();
            assertThat(in.read()).as("closed, without a byte (no TLS alert, no frame)").isEqualTo(-1);
            String local = "127.0.0.1:" + raw.socket().getLocalPort();
            Poll.until(() -> lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains(local)));
            assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains(local)).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("not a TLS handshake"));
        } finally {
            ((Logger) LoggerFactory.getLogger(Session.class)).detachAppender(lines);
        }
    }

    @Test
    void shouldRefuseAClientCertificateFromAnotherCaAtTheHandshake() throws Exception {
        ListAppender<ILoggingEvent> lines = captureSessionLog();
        Path foreign = dir.resolve("foreign-guest.pem");
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO))) {
            // A client that presents it whatever CAs the server names: the handshake fails, nothing is read.
            try (SSLSocket socket = tlsSocket(f.broker().tlsPort(), foreign, true);
                 RawConnection raw = new RawConnection(socket, Duration.ofSeconds(10))) {
                assertThatThrownBy(() -> welcome(raw)).isInstanceOf(IOException.class);
                String local = "127.0.0.1:" + socket.getLocalPort();
                Poll.until(() -> lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains(local)));
                assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains(local)).singleElement()
                        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("TLS handshake failed"));
            }
            assertThatThrownBy(() -> certs.openssl("s_client", "-connect", "127.0.0.1:" + f.broker().tlsPort(),
                    "-CAfile", certs.ca().toString(), "-tls1_2", "-cert", foreign.toString(), "-key",
                    certs.keyOf(foreign).toString(), "-brief"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("alert");
            // The Java client does not present a certificate the server's CAs did not sign, so the server offers
            // no EXTERNAL: the client refuses to log in with a password instead (here the right one).
            assertThatThrownBy(() -> client(f.broker(), TlsOptions.trustPem(certs.ca())
                    .withClientCertificate(foreign, certs.keyOf(foreign))).connect())
                    .isInstanceOf(RelaisException.class)
                    .hasMessageContaining("did not accept the client certificate");
        } finally {
            ((Logger) LoggerFactory.getLogger(Session.class)).detachAppender(lines);
        }
    }

    @Test
    void shouldVerifyThatTheCertificateNamesTheHostUnlessToldNotTo() {
        Path elsewhere = certs.server("elsewhere", "elsewhere.example", "DNS:elsewhere.example");
        TlsConfig config = TlsConfig.of(0, elsewhere, certs.keyOf(elsewhere), null, false);
        try (BrokerFixture f = broker(config)) {
            assertThatThrownBy(() -> client(f.broker(), TlsOptions.trustPem(certs.ca())).connect())
                    .isInstanceOf(RelaisException.class).hasMessageContaining("TLS handshake");
            try (RelaisClient c = client(f.broker(), TlsOptions.trustPem(certs.ca()).withoutHostnameVerification())
                    .connect()) {
                assertThat(c.listQueues().join()).isNotNull();
            }
        }
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO));
             RelaisClient byName = client(f.broker(), TlsOptions.trustPem(certs.ca())).host("localhost").connect()) {
            assertThat(byName.listQueues().join()).isNotNull();
        }
    }

    @Test
    void shouldCloseAConnectionOverTheAddressLimitOnTheTlsPortWithoutAHandshake() throws IOException {
        try (BrokerFixture f = new BrokerFixture(c -> c.withTls(tls(false, TlsConfig.Provider.AUTO))
                .withSecurityLimits(new SecurityLimits(0, 1, 0, 0, 0, 0)));
             RelaisClient first = client(f.broker(), TlsOptions.trustPem(certs.ca())).connect();
             RawConnection second = new RawConnection(f.broker().tlsPort())) {
            assertThat(second.socket().getInputStream().read()).as("closed, not a byte").isEqualTo(-1);
            assertThat(first.listQueues().join()).isNotNull();
        }
    }

    @Test
    void shouldRefuseAClientThatDoesNotTrustTheServerCertificate() {
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO))) {
            assertThatThrownBy(() -> client(f.broker(), TlsOptions.trustPem(certs.otherCa())).connect())
                    .isInstanceOf(RelaisException.class).hasMessageContaining("TLS handshake");
        }
    }

    @Test
    void shouldRefusePlaintextWhenTlsOnly() throws IOException {
        try (BrokerFixture f = broker(tls(true, TlsConfig.Provider.AUTO))) {
            assertThat(f.port()).isEqualTo(f.broker().tlsPort());
            assertThatThrownBy(() -> RelaisClient.builder().port(f.port()).connectTimeout(Duration.ofSeconds(5)).connect())
                    .isInstanceOf(RelaisException.class);
            try (RawConnection raw = new RawConnection(f.port())) {
                raw.send(new Hello(1, 1, "plaintext", ProtocolVersion.V1_CAPABILITIES));
                assertThat(raw.socket().getInputStream().read()).isEqualTo(-1);
            }
            try (RelaisClient c = client(f.broker(), TlsOptions.trustPem(certs.ca())).connect()) {
                assertThat(c.listQueues().join()).isNotNull();
            }
        }
    }

    @Test
    void shouldUseTheNewCertificateForNewHandshakesWithoutDroppingOpenConnectionsWhenReloaded() throws Exception {
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.copy(certs.serverCertificate(), live.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.serverKey(), live.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
        Path renewed = certs.server("renewed", "renewed.localhost");
        TlsConfig config = TlsConfig.of(0, live.resolve("server.pem"), live.resolve("server.key"), certs.ca(), false);
        try (BrokerFixture f = broker(config);
             RelaisClient open = client(f.broker(), TlsOptions.trustPem(certs.ca())).connect()) {
            assertThat(serverCertificateSubject(f.broker().tlsPort())).contains("CN=localhost");
            Files.copy(renewed, live.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(certs.keyOf(renewed), live.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
            f.broker().reloadTls();
            assertThat(serverCertificateSubject(f.broker().tlsPort())).contains("CN=renewed.localhost");
            // The connection opened before the reload still works, on its old session.
            open.declareQueue(QueueDeclaration.named("after.reload")).join();
            assertThat(open.isOpen()).isTrue();

            // A bad file is refused and the certificate in use stays.
            Files.writeString(live.resolve("server.key"), "not a key");
            assertThatThrownBy(() -> f.broker().reloadTls()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(BrokerConfig.KEY_TLS_KEY);
            assertThat(serverCertificateSubject(f.broker().tlsPort())).contains("CN=renewed.localhost");
            assertThat(open.listQueues().join()).anyMatch(q -> q.name().equals("after.reload"));
        }
    }

    @Test
    void shouldStopStartUpWithAMessageNamingTheKeyWhenAPemFileIsBad() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnope\n");
        Path otherKey = certs.keyOf(dir.resolve("carol-client.pem"));
        assertThatThrownBy(() -> broker(TlsConfig.of(0, dir.resolve("missing.pem"), certs.serverKey(), null, false)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(BrokerConfig.KEY_TLS_CERTIFICATE + ": ")
                .hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> broker(TlsConfig.of(0, garbage, certs.serverKey(), null, false)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(BrokerConfig.KEY_TLS_CERTIFICATE + ": ");
        assertThatThrownBy(() -> broker(TlsConfig.of(0, certs.serverCertificate(), garbage, null, false)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(BrokerConfig.KEY_TLS_KEY + ": ");
        assertThatThrownBy(() -> broker(TlsConfig.of(0, certs.serverCertificate(), otherKey, null, false)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(BrokerConfig.KEY_TLS_KEY + ": ")
                .hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> broker(TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), garbage, false)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(BrokerConfig.KEY_TLS_CA + ": ");
    }

    @Test
    void shouldAuthenticateWithExternalAsTheUserTheCertificateNames() {
        Path carol = dir.resolve("carol-client.pem");
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO));
             // The password is wrong: only EXTERNAL can let this client in.
             RelaisClient c = client(f.broker(), TlsOptions.trustPem(certs.ca())
                     .withClientCertificate(carol, certs.keyOf(carol))).username("carol").password("wrong").connect()) {
            assertThat(c.listQueues().join()).isNotNull();
        }
    }

    @Test
    void shouldRefuseExternalWhenTheCertificateNamesAnUnknownUser() {
        Path stranger = dir.resolve("stranger.pem");
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO))) {
            assertThatThrownBy(() -> client(f.broker(), TlsOptions.trustPem(certs.ca())
                    .withClientCertificate(stranger, certs.keyOf(stranger))).connect())
                    .isInstanceOf(RelaisException.class)
                    .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED))
                    .hasMessageContaining("'stranger', which is not a known user");
        }
    }

    @Test
    void shouldOfferExternalOnlyOnTlsWithATrustedClientCertificate() throws Exception {
        Path guestCert = dir.resolve("guest-client.pem");
        try (BrokerFixture f = broker(tls(false, TlsConfig.Provider.AUTO))) {
            try (RawConnection plain = new RawConnection(f.port())) {
                assertThat(welcome(plain).mechanisms()).doesNotContain(ProtocolVersion.MECH_EXTERNAL);
            }
            try (RawConnection noCertificate = new RawConnection(tlsSocket(f.broker().tlsPort(), null),
                    Duration.ofSeconds(10))) {
                Welcome w = welcome(noCertificate);
                assertThat(w.mechanisms()).doesNotContain(ProtocolVersion.MECH_EXTERNAL);
                noCertificate.send(new Auth(ProtocolVersion.MECH_EXTERNAL, new byte[0], 0));
                Frame refused = noCertificate.read();
                assertThat(refused).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.code());
                    assertThat(e.message()).contains("presented none");
                });
            }
            try (RawConnection withCertificate = new RawConnection(tlsSocket(f.broker().tlsPort(), guestCert),
                    Duration.ofSeconds(10))) {
                assertThat(welcome(withCertificate).mechanisms()).first().isEqualTo(ProtocolVersion.MECH_EXTERNAL);
                // An authorization identity other than the certificate's user is refused.
                withCertificate.send(new Auth(ProtocolVersion.MECH_EXTERNAL, "carol".getBytes(StandardCharsets.UTF_8),
                        0));
                assertThat(withCertificate.read()).isInstanceOfSatisfying(ErrorFrame.class,
                        e -> assertThat(e.message()).contains("may not act as 'carol'"));
            }
            try (RawConnection withCertificate = new RawConnection(tlsSocket(f.broker().tlsPort(), guestCert),
                    Duration.ofSeconds(10))) {
                welcome(withCertificate);
                withCertificate.send(new Auth(ProtocolVersion.MECH_EXTERNAL, "guest".getBytes(StandardCharsets.UTF_8),
                        0));
                assertThat(withCertificate.read()).isInstanceOf(Ready.class);
            }
        }
    }

    /** The session log's lines from now on; detach it when done. */
    private static ListAppender<ILoggingEvent> captureSessionLog() {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ((Logger) LoggerFactory.getLogger(Session.class)).addAppender(lines);
        return lines;
    }

    private static Welcome welcome(RawConnection raw) throws IOException {
        raw.send(new Hello(1, 1, "raw", ProtocolVersion.V1_CAPABILITIES));
        return (Welcome) raw.read();
    }

    /** A JDK TLS socket to the broker, trusting the test CA, presenting {@code clientCertificate} if not null. */
    private static SSLSocket tlsSocket(int port, Path clientCertificate) throws Exception {
        return tlsSocket(port, clientCertificate, false);
    }

    /** With {@code always}, the client certificate is presented even when the server names other CAs. */
    private static SSLSocket tlsSocket(int port, Path clientCertificate, boolean always) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.ca())) {
            trust.setCertificateEntry("ca", x509.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientCertificate != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            Path p12 = dir.resolve(clientCertificate.getFileName() + ".p12");
            certs.openssl("pkcs12", "-export", "-in", clientCertificate.toString(), "-inkey",
                    certs.keyOf(clientCertificate).toString(), "-out", p12.toString(), "-passout", "pass:test");
            try (InputStream in = Files.newInputStream(p12)) {
                keys.load(in, "test".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "test".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManager[] keyManagers = kmf == null ? null : kmf.getKeyManagers();
        if (always) {
            keyManagers = new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) keyManagers[0])};
        }
        context.init(keyManagers, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.startHandshake();
        return socket;
    }

    private static String serverCertificateSubject(int port) throws Exception {
        try (SSLSocket socket = tlsSocket(port, null)) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** Offers its one client certificate whatever the server asks for. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        private String alias() {
            return keys.getClientAliases("EC", null)[0];
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias()};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias();
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** Waits for a condition. */
    private static final class Poll {
        static void until(BooleanSupplier condition) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not met within 10 s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
