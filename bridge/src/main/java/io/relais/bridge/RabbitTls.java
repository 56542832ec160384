package io.relais.bridge;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The RabbitMQ side's connection factory: {@code amqp://} as it is, {@code amqps://} over TLS with the
 * certificate checked against {@code bridge.amqp-cacert} (PEM) or the JDK's authorities, and the host name
 * verified. (amqp-client's own {@code amqps} handling trusts every certificate; this does not use it.)
 * Stateless.
 */
final class RabbitTls {
    /** RabbitMQ's TLS port when the URI gives none. */
    static final int DEFAULT_AMQPS_PORT = 5671;

    private RabbitTls() {
    }

    /**
     * A factory for {@code config}'s RabbitMQ.
     *
     * @throws IllegalArgumentException when the URI is not amqp or amqps, or a CA file is given for amqp
     * @throws GeneralSecurityException or {@link IOException} when the CA file cannot be read or used
     */
    static ConnectionFactory factory(BridgeConfig config) throws GeneralSecurityException, IOException,
            URISyntaxException {
        String uri = config.amqpUri();
        URI parsed = new URI(uri);
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        ConnectionFactory factory = new ConnectionFactory();
        if (scheme.equals("amqp")) {
            if (config.amqpCacert() != null) {
                throw new IllegalArgumentException("bridge.amqp-cacert is set but bridge.amqp (" + parsed.getHost()
                        + ") is not an amqps:// URI");
            }
            factory.setUri(uri);
            return factory;
        }
        if (!scheme.equals("amqps")) {
            throw new IllegalArgumentException("bridge.amqp must be an amqp:// or amqps:// URI, found '" + scheme + "://'");
        }
        factory.setUri("amqp" + uri.substring(scheme.length()));
        factory.setPort(parsed.getPort() == -1 ? DEFAULT_AMQPS_PORT : parsed.getPort());
        factory.useSslProtocol(sslContext(config.amqpCacert()));
        factory.enableHostnameVerification();
        return factory;
    }

    /** A TLS context trusting the certificates of {@code caFile}, or the JDK's authorities when it is null. */
    static SSLContext sslContext(Path caFile) throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caFile == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(caFile)) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("bridge.amqp-cacert: " + caFile + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            tmf.init(store);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
