package io.relais.client.impl;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.relais.client.RelaisException;
import io.relais.client.TlsOptions;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of TLS: the Netty context made once from {@link TlsOptions} (TLS 1.3 and 1.2, OpenSSL
 * when netty-tcnative is on the class path, the JDK's engine otherwise), and a handler per connection with
 * host name verification when the options ask for it (the default).
 *
 * <p>Immutable; thread-safe.
 */
public final class ClientTls {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private final SslContext context;
    private final TlsOptions options;

    private ClientTls(SslContext context, TlsOptions options) {
        this.context = context;
        this.options = options;
    }

    /**
     * Reads the files of {@code options} and makes the context.
     *
     * @throws RelaisException naming the file that cannot be read or used
     */
    public static ClientTls of(TlsOptions options) {
        SslContextBuilder builder = SslContextBuilder.forClient().protocols(PROTOCOLS);
        try {
            if (options.caFile() != null) {
                builder.trustManager(options.caFile().toFile());
            } else if (options.trustStore() != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(options.trustStore());
                builder.trustManager(tmf);
            }
            if (options.hasClientCertificate()) {
                builder.keyManager(options.certificateFile().toFile(), options.keyFile().toFile());
            }
            return new ClientTls(builder.build(), options);
        } catch (SSLException | GeneralSecurityException | IllegalArgumentException e) {
            throw new RelaisException(null, "cannot use the TLS files (CA " + options.caFile() + ", certificate "
                    + options.certificateFile() + ", key " + options.keyFile() + "): " + e.getMessage(), e);
        }
    }

    /** The options this was made from. */
    public TlsOptions options() {
        return options;
    }

    /** A handler for one connection to {@code host}:{@code port}. */
    SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        if (options.verifyHostname()) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
