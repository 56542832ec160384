package io.relais.broker.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.client.testing.TestCertificates;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EXTERNAL's user name from each part of a certificate, and what it refuses. */
class ExternalAuthenticatorTest {
    @TempDir
    static Path dir;
    private static List<X509Certificate> dave;
    private static List<X509Certificate> server;

    @BeforeAll
    static void makeCertificates() {
        TestCertificates certs = TestCertificates.create(dir);
        dave = TlsContexts.certificates(certs.client("dave", "dave"), BrokerConfig.KEY_TLS_CA);
        server = TlsContexts.certificates(certs.serverCertificate(), BrokerConfig.KEY_TLS_CA);
    }

    private static ExternalAuthenticator by(TlsConfig.ExternalUser source, String... users) {
        return new ExternalAuthenticator(source, Set.of(users)::contains);
    }

    @Test
    void shouldTakeTheUserFromTheConfiguredPartOfTheCertificate() {
        assertThat(by(TlsConfig.ExternalUser.CN, "dave").authenticate(new byte[0], dave)).isEqualTo("dave");
        assertThat(by(TlsConfig.ExternalUser.SAN_EMAIL, "dave@example.com").authenticate(new byte[0], dave))
                .isEqualTo("dave@example.com");
        assertThat(by(TlsConfig.ExternalUser.SAN_DNS, "dave.example.com").authenticate(new byte[0], dave))
                .isEqualTo("dave.example.com");
        assertThat(by(TlsConfig.ExternalUser.CN, "dave").authenticate("dave".getBytes(StandardCharsets.UTF_8), dave))
                .isEqualTo("dave");
    }

    @Test
    void shouldOfferItOnlyForACertificateThatNamesAUserOfTheConfiguredKind() {
        assertThat(by(TlsConfig.ExternalUser.CN).offered(List.of())).isFalse();
        assertThat(by(TlsConfig.ExternalUser.CN).offered(dave)).isTrue();
        // The server certificate has DNS names but no e-mail address.
        assertThat(by(TlsConfig.ExternalUser.SAN_EMAIL).offered(server)).isFalse();
    }

    @Test
    void shouldRefuseAnUnknownUserAnotherAuthorizationIdentityAndAMissingName() {
        assertThatThrownBy(() -> by(TlsConfig.ExternalUser.CN, "erin").authenticate(new byte[0], dave))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED))
                .hasMessageContaining("'dave', which is not a known user");
        assertThatThrownBy(() -> by(TlsConfig.ExternalUser.CN, "dave", "erin")
                .authenticate("erin".getBytes(StandardCharsets.UTF_8), dave))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("may not act as 'erin'");
        assertThatThrownBy(() -> by(TlsConfig.ExternalUser.SAN_EMAIL, "localhost").authenticate(new byte[0], server))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("e-mail subject alternative name");
        assertThatThrownBy(() -> by(TlsConfig.ExternalUser.CN, "dave").authenticate(new byte[0], List.of()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("presented none");
    }
}
