package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.BrokerFixture;
import io.relais.broker.config.HttpConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.client.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.tls: the HTTP listener speaks HTTPS with the broker's certificate. */
class HttpsEndToEndTest {
    @TempDir
    Path dir;

    private static SSLContext trusting(Path ca) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void shouldServeTheApiOverHttpsWithTheBrokersCertificate() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TlsConfig tls = TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), null, false);
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withTls(tls).withHttp(HttpConfig.onPort(0).withTls(true)))) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certs.ca()))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            Http https = Http.to(client, "https://localhost:" + fixture.broker().httpPort());
            assertThat(https.get("/health/live").status()).isEqualTo(200);
            assertThat(https.basic("guest", "guest").get("/api/whoami").json().get("name").asText()).isEqualTo("guest");
            boolean listed = false;
            for (var l : https.basic("guest", "guest").get("/api/overview").json().get("listeners")) {
                listed |= l.get("protocol").asText().equals("https");
            }
            assertThat(listed).isTrue();
        }
    }
}
