package io.relais.broker.config;

import java.nio.file.Path;

/**
 * The TLS listener: its port and PEM files. Immutable; thread-safe.
 *
 * @param port the TLS port, 0 for an ephemeral one, -1 when there is no TLS listener
 * @param certificate the server's certificate chain (PEM)
 * @param key the server's private key (PEM, PKCS#8)
 * @param ca certificates of the authorities whose client certificates are trusted (PEM); null for none
 * @param only true to have no plaintext listener
 */
public record TlsConfig(int port, Path certificate, Path key, Path ca, boolean only) {
    /** No TLS listener: the default. */
    public static final TlsConfig DISABLED = new TlsConfig(-1, null, null, null, false);

    /** True if a TLS listener is configured. */
    public boolean enabled() {
        return port >= 0;
    }
}
