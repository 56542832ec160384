package io.relais.broker.net;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The EXTERNAL mechanism (RFC 4422 appendix A) over TLS: the client is the user its certificate names. The
 * TLS handshake has already checked the certificate against the configured CA; this takes the user name
 * from the leaf certificate ({@value BrokerConfig#KEY_TLS_EXTERNAL_USER}: the subject's CN, or the first
 * e-mail or DNS subject alternative name) and accepts it if it is a known user. The response is empty, or
 * the authorization identity, which must then be that same user (acting as another is not supported).
 *
 * <p>Who is known is asked of one predicate, so that the source of users can change without this class.
 * Immutable; thread-safe.
 */
public final class ExternalAuthenticator {
    /** The subject alternative name types of RFC 5280 4.2.1.6. */
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private final TlsConfig.ExternalUser source;
    private final Predicate<String> knownUser;

    /**
     * @param source the part of the certificate that names the user
     * @param knownUser true for a user name the broker knows
     */
    public ExternalAuthenticator(TlsConfig.ExternalUser source, Predicate<String> knownUser) {
        this.source = Objects.requireNonNull(source, "source");
        this.knownUser = Objects.requireNonNull(knownUser, "knownUser");
    }

    /** True if EXTERNAL is to be offered: the client presented a trusted certificate that names a user. */
    public boolean offered(List<X509Certificate> chain) {
        return !chain.isEmpty() && userOf(chain.get(0)) != null;
    }

    /**
     * Authenticates a client by its certificate chain, leaf first.
     *
     * @return the user name
     * @throws ProtocolException 2006 AUTHENTICATION_FAILED: no certificate, a certificate without the name
     *     configured, an authorization identity other than that name, or a user the broker does not know
     */
    public String authenticate(byte[] response, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED,
                    "EXTERNAL needs a TLS client certificate, and this connection presented none");
        }
        String user = userOf(chain.get(0));
        if (user == null) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "the client certificate ("
                    + chain.get(0).getSubjectX500Principal().getName() + ") has no " + describe(source));
        }
        String authzid = new String(response, StandardCharsets.UTF_8);
        if (!authzid.isEmpty() && !authzid.equals(user)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "the certificate names user '" + user
                    + "', which may not act as '" + authzid + "'");
        }
        if (!knownUser.test(user)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "the certificate names user '" + user
                    + "', which is not a known user");
        }
        return user;
    }

    /** The user name {@code certificate} gives, or null if it has none of the kind configured. */
    String userOf(X509Certificate certificate) {
        return switch (source) {
            case CN -> commonName(certificate);
            case SAN_EMAIL -> alternativeName(certificate, SAN_EMAIL);
            case SAN_DNS -> alternativeName(certificate, SAN_DNS);
        };
    }

    private static String commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
            // RFC 2253 lists the most specific RDN first; LdapName reverses it.
            List<Rdn> rdns = name.getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static String alternativeName(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> entry : names) {
                if (entry.size() >= 2 && Integer.valueOf(type).equals(entry.get(0)) && entry.get(1) instanceof String s) {
                    return s;
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    private static String describe(TlsConfig.ExternalUser source) {
        return switch (source) {
            case CN -> "common name (CN) in its subject";
            case SAN_EMAIL -> "e-mail subject alternative name";
            case SAN_DNS -> "DNS subject alternative name";
        } + " (" + BrokerConfig.KEY_TLS_EXTERNAL_USER + ": " + source.word() + ")";
    }
}
