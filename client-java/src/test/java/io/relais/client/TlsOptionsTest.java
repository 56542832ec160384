package io.relais.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TLS options accept, and the message a file that cannot be used gives at connect. */
class TlsOptionsTest {
    @Test
    void shouldVerifyHostNamesByDefaultAndKeepACertificateWithItsKey() {
        TlsOptions options = TlsOptions.trustPem(Path.of("ca.pem"));
        assertThat(options.verifyHostname()).isTrue();
        assertThat(options.hasClientCertificate()).isFalse();
        TlsOptions mutual = options.withClientCertificate(Path.of("c.pem"), Path.of("c.key"));
        assertThat(mutual.hasClientCertificate()).isTrue();
        assertThat(mutual.withoutHostnameVerification().verifyHostname()).isFalse();
        assertThat(mutual.withoutHostnameVerification().certificateFile()).isEqualTo(Path.of("c.pem"));
        assertThatThrownBy(() -> new TlsOptions(null, null, Path.of("c.pem"), null, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNameTheFilesWhenTheyCannotBeUsed(@TempDir Path dir) {
        Path missing = dir.resolve("missing-ca.pem");
        assertThatThrownBy(() -> RelaisClient.builder().tlsCaFile(missing).connect())
                .isInstanceOf(RelaisException.class).hasMessageContaining("missing-ca.pem");
    }
}
