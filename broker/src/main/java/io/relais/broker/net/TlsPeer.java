package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What TLS tells about one connection's peer: whether the connection is encrypted, and the certificate
 * chain the client presented, which the TLS handshake checked against the configured CA (a chain it does
 * not trust fails the handshake, so a chain seen here is trusted). The pipeline gets its TLS handler only
 * once the first bytes have shown a TLS handshake ({@link TlsSniffer}), so this looks it up when asked:
 * after the TLS handshake, which is over before the first frame (HELLO) is decoded.
 *
 * <p>Owned by the channel's event loop.
 */
final class TlsPeer {
    private final Channel channel;

    TlsPeer(Channel channel) {
        this.channel = channel;
    }

    /** True if the connection is TLS. */
    boolean secure() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    /** The client's certificate chain, leaf first; empty without TLS or when the client presented none. */
    List<X509Certificate> certificates() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return List.of();
        }
        SSLSession session = ssl.engine().getSession();
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** The negotiated protocol and cipher suite, for the log; empty without TLS. */
    String describe() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return "";
        }
        SSLSession session = ssl.engine().getSession();
        return session.getProtocol() + " " + session.getCipherSuite();
    }

    /** Why a connection failed, for the one line its close logs: TLS failures by name, others as I/O errors. */
    static String failure(Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof NotSslRecordException) {
            return "not a TLS handshake";
        }
        if (c instanceof SSLException) {
            return "TLS handshake failed: " + c.getMessage();
        }
        return "I/O error: " + cause.getMessage();
    }
}
