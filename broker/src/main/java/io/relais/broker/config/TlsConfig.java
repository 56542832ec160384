package io.relais.broker.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The TLS listener: its port, PEM files, whether client certificates are asked for, how the EXTERNAL
 * mechanism names the user of a certificate, and which TLS engine runs it. Immutable; thread-safe.
 *
 * @param port the TLS port ({@value BrokerConfig#KEY_TLS_PORT}), 0 for an ephemeral one, -1 when there is
 *     no TLS listener
 * @param certificate the server's certificate chain, leaf first (PEM; {@value BrokerConfig#KEY_TLS_CERTIFICATE})
 * @param key the server's private key (PEM, unencrypted PKCS#8; {@value BrokerConfig#KEY_TLS_KEY})
 * @param ca certificates of the authorities whose client certificates are trusted (PEM;
 *     {@value BrokerConfig#KEY_TLS_CA}); null for none, and then no client certificate is asked for
 * @param only true to have no plaintext listener ({@value BrokerConfig#KEY_TLS_ONLY})
 * @param clientAuth whether client certificates are asked for when a CA is configured
 *     ({@value BrokerConfig#KEY_TLS_CLIENT_AUTH})
 * @param externalUser where EXTERNAL takes the user name from ({@value BrokerConfig#KEY_TLS_EXTERNAL_USER})
 * @param provider the TLS engine ({@value BrokerConfig#KEY_TLS_PROVIDER})
 */
public record TlsConfig(int port, Path certificate, Path key, Path ca, boolean only, ClientAuth clientAuth,
                        ExternalUser externalUser, Provider provider) {
    /** No TLS listener: the default. */
    public static final TlsConfig DISABLED = new TlsConfig(-1, null, null, null, false, ClientAuth.WANT,
            ExternalUser.CN, Provider.AUTO);

    public TlsConfig {
        Objects.requireNonNull(clientAuth, BrokerConfig.KEY_TLS_CLIENT_AUTH);
        Objects.requireNonNull(externalUser, BrokerConfig.KEY_TLS_EXTERNAL_USER);
        Objects.requireNonNull(provider, BrokerConfig.KEY_TLS_PROVIDER);
    }

    /** A TLS listener on {@code port} with these files and the other settings at their defaults. */
    public static TlsConfig of(int port, Path certificate, Path key, Path ca, boolean only) {
        return new TlsConfig(port, certificate, key, ca, only, ClientAuth.WANT, ExternalUser.CN, Provider.AUTO);
    }

    /** True if a TLS listener is configured. */
    public boolean enabled() {
        return port >= 0;
    }

    /** This configuration with another client-certificate policy. */
    public TlsConfig withClientAuth(ClientAuth newClientAuth) {
        return new TlsConfig(port, certificate, key, ca, only, newClientAuth, externalUser, provider);
    }

    /** This configuration with another source of EXTERNAL's user name. */
    public TlsConfig withExternalUser(ExternalUser newExternalUser) {
        return new TlsConfig(port, certificate, key, ca, only, clientAuth, newExternalUser, provider);
    }

    /** This configuration with another TLS engine. */
    public TlsConfig withProvider(Provider newProvider) {
        return new TlsConfig(port, certificate, key, ca, only, clientAuth, externalUser, newProvider);
    }

    /** Whether a client certificate is asked for; only with a CA ({@link #ca()}). */
    public enum ClientAuth {
        /** Never asked for. */
        NONE,
        /** Asked for; a client without one still connects (and cannot use EXTERNAL). */
        WANT,
        /** Required: a client without a certificate the CA trusts fails the TLS handshake. */
        NEED;

        /** The configuration word: none, want or need. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The part of a client certificate that EXTERNAL takes as the user name. */
    public enum ExternalUser {
        /** The subject's common name (CN). */
        CN("cn"),
        /** The first e-mail address (rfc822Name) among the subject alternative names. */
        SAN_EMAIL("san-email"),
        /** The first DNS name among the subject alternative names. */
        SAN_DNS("san-dns");

        private final String word;

        ExternalUser(String word) {
            this.word = word;
        }

        /** The configuration word: cn, san-email or san-dns. */
        public String word() {
            return word;
        }
    }

    /** The TLS engine. */
    public enum Provider {
        /** OpenSSL (netty-tcnative, BoringSSL) when it loads, the JDK's engine otherwise. */
        AUTO,
        /** OpenSSL; start-up fails when it does not load. */
        OPENSSL,
        /** The JDK's engine. */
        JDK;

        /** The configuration word: auto, openssl or jdk. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
