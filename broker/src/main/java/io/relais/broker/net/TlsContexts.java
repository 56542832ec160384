package io.relais.broker.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.config.TlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener's server context, made from the PEM files of {@link TlsConfig}: TLS 1.3 and 1.2 only,
 * OpenSSL (netty-tcnative) when it loads or the JDK's engine, and, with a CA, client certificates asked for
 * (or required) and checked against it. Every file is read and checked here (the key must be unencrypted
 * PKCS#8 and match the certificate), so that a bad one stops start-up with a message naming its key.
 *
 * <p>{@link #reload()} reads the files again and swaps the context: handshakes that start afterwards use the
 * new certificate; open connections keep theirs. It does file I/O: call it off the event loops (the SIGHUP
 * handler does). Thread-safe: the context is a volatile reference, read by {@link #newHandler} on any loop.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    /** The protocol versions offered; nothing older. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

    private final TlsConfig config;
    private final SslProvider provider;
    private volatile SslContext context;

    private TlsContexts(TlsConfig config, SslProvider provider, SslContext context) {
        this.config = config;
        this.provider = provider;
        this.context = context;
    }

    /**
     * Reads the files and makes the context.
     *
     * @throws ConfigException naming the key of the file that is missing, unreadable or not what it should
     *     be, or {@value BrokerConfig#KEY_TLS_PROVIDER} when OpenSSL was asked for and does not load
     */
    public static TlsContexts load(TlsConfig config) {
        SslProvider provider = switch (config.provider()) {
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new ConfigException(BrokerConfig.KEY_TLS_PROVIDER + " is openssl, but OpenSSL (netty-tcnative)"
                            + " does not load: " + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
        };
        return new TlsContexts(config, provider, build(config, provider));
    }

    /** {@code openssl} or {@code jdk}: the engine in use. */
    public String providerName() {
        return provider == SslProvider.OPENSSL ? "openssl" : "jdk";
    }

    /** The settings the context was made from. */
    public TlsConfig config() {
        return config;
    }

    /**
     * Reads the files again and, if they are good, makes new handshakes use them; open connections are not
     * touched. Blocks on file I/O: not on an event loop.
     *
     * @throws ConfigException as {@link #load}; the old context then stays in use
     */
    public void reload() {
        context = build(config, provider);
        LOG.info("TLS certificates reloaded from {} and {}{}", config.certificate(), config.key(),
                config.ca() == null ? "" : " (CA " + config.ca() + ")");
    }

    /** A handler for a new connection, with the current context; any thread. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    private static SslContext build(TlsConfig config, SslProvider provider) {
        List<X509Certificate> chain = certificates(config.certificate(), BrokerConfig.KEY_TLS_CERTIFICATE);
        PrivateKey key = privateKey(config.key());
        checkPair(chain.get(0), key, config);
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .sslProvider(provider)
                .protocols(PROTOCOLS);
        if (config.ca() != null) {
            List<X509Certificate> cas = certificates(config.ca(), BrokerConfig.KEY_TLS_CA);
            builder.trustManager(cas.toArray(new X509Certificate[0]))
                    .clientAuth(switch (config.clientAuth()) {
                        case NONE -> ClientAuth.NONE;
                        case WANT -> ClientAuth.OPTIONAL;
                        case NEED -> ClientAuth.REQUIRE;
                    });
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("tls: cannot make a TLS context from " + config.certificate() + " and "
                    + config.key() + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file, String key) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(key + ": cannot read " + file + ": " + e, e);
        }
    }

    /** The certificates of a PEM file, in order; at least one. */
    static List<X509Certificate> certificates(Path file, String key) {
        byte[] pem = read(file, key);
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            factory.generateCertificates(new ByteArrayInputStream(pem))
                    .forEach(c -> certificates.add((X509Certificate) c));
        } catch (CertificateException e) {
            throw new ConfigException(key + ": " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(key + ": " + file + " holds no certificate (PEM, -----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path file) {
        String key = BrokerConfig.KEY_TLS_KEY;
        String pem = new String(read(file, key), StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new ConfigException(key + ": " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (!m.group(1).isEmpty()) {
            throw new ConfigException(key + ": " + file + " holds a '" + m.group(1).trim() + " PRIVATE KEY'; the broker "
                    + "reads unencrypted PKCS#8 ('PRIVATE KEY'): convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + file + ": the private key is not valid base64", e);
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigException(key + ": " + file + " is not an RSA, EC or EdDSA private key in PKCS#8");
    }

    /** The key signs what the certificate's public key verifies: the two belong together. */
    private static void checkPair(X509Certificate leaf, PrivateKey key, TlsConfig config) {
        PublicKey pub = leaf.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        boolean matches;
        try {
            byte[] probe = "relais".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new ConfigException(BrokerConfig.KEY_TLS_KEY + ": the key in " + config.key()
                    + " does not belong to the certificate in " + config.certificate() + " ("
                    + BrokerConfig.KEY_TLS_CERTIFICATE + ", subject " + leaf.getSubjectX500Principal().getName() + ")");
        }
    }
}
