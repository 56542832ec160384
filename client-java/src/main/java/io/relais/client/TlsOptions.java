package io.relais.client;

import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Objects;

/**
 * How a client connects over TLS (TLS 1.3 or 1.2): which certificate authorities it trusts to sign the
 * broker's certificate, whether it checks that the certificate names the host it connects to, and the
 * client certificate it presents, if any (mutual TLS; with one, the client authenticates with EXTERNAL when
 * the broker offers it, so the certificate names the user). Give it to {@link RelaisClient.Builder#tls}.
 *
 * <p>Trust, one of: the JDK's default authorities ({@link #systemTrust()}), the certificates of a PEM file
 * ({@link #trustPem(Path)}), or a key store ({@link #trustStore(KeyStore)}). Host name verification is on by
 * default: the broker's certificate must carry the host (a DNS name, or an IP address for an address) in its
 * subject alternative names.
 *
 * <p>Immutable; thread-safe. Files are read when a client is built with it ({@link RelaisClient.Builder#connect()}).
 *
 * @param caFile PEM certificates of the trusted authorities, or null
 * @param trustStore a key store of trusted certificates, or null
 * @param certificateFile the client's certificate chain (PEM), or null for none
 * @param keyFile the client's private key (PEM, PKCS#8), or null for none
 * @param verifyHostname whether the broker's certificate must name the host connected to
 */
public record TlsOptions(Path caFile, KeyStore trustStore, Path certificateFile, Path keyFile,
                         boolean verifyHostname) {
    public TlsOptions {
        if (caFile != null && trustStore != null) {
            throw new IllegalArgumentException("trust either a PEM file or a key store, not both");
        }
        if ((certificateFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
    }

    /** Trusts the JDK's default certificate authorities. */
    public static TlsOptions systemTrust() {
        return new TlsOptions(null, null, null, null, true);
    }

    /** Trusts the certificates of a PEM file (a CA, or the broker's own certificate). */
    public static TlsOptions trustPem(Path caFile) {
        return new TlsOptions(Objects.requireNonNull(caFile, "caFile"), null, null, null, true);
    }

    /** Trusts the certificates of a key store (JKS or PKCS#12, loaded). */
    public static TlsOptions trustStore(KeyStore trustStore) {
        return new TlsOptions(null, Objects.requireNonNull(trustStore, "trustStore"), null, null, true);
    }

    /** These options, presenting a client certificate chain and its key (PEM files; the key PKCS#8, unencrypted). */
    public TlsOptions withClientCertificate(Path certificate, Path key) {
        return new TlsOptions(caFile, trustStore, Objects.requireNonNull(certificate, "certificate"),
                Objects.requireNonNull(key, "key"), verifyHostname);
    }

    /**
     * These options without checking that the broker's certificate names the host: any certificate the trusted
     * authorities signed is accepted. Only for tests and for brokers reached through a name their certificate
     * lacks.
     */
    public TlsOptions withoutHostnameVerification() {
        return new TlsOptions(caFile, trustStore, certificateFile, keyFile, false);
    }

    /** True if a client certificate is presented. */
    public boolean hasClientCertificate() {
        return certificateFile != null;
    }
}
