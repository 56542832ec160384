package io.relais.broker.net;

import io.relais.broker.config.AuthConfig;
import io.relais.broker.security.KeyDerivation;
import io.relais.broker.security.LoginThrottle;
import io.relais.broker.security.ScramServer;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.sasl.ScramCredential;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * What every connection's {@link Login} shares: the user database, the authentication settings, the
 * throttle of failed logins, the pool that runs PBKDF2 for PLAIN, and the per-broker secret unknown users'
 * fake SCRAM credentials come from. Decides which mechanisms a connection is offered (PROTOCOL.md 3.6):
 * SCRAM-SHA-256 first when the client negotiated {@code sasl}, PLAIN where it is allowed (TLS, a loopback
 * address, or {@code auth.plain-on-plaintext}), ANONYMOUS when configured.
 *
 * <p>Immutable apart from the parts it holds, which are thread-safe; shared by all event loops.
 */
public final class Authenticator {
    private final AuthConfig config;
    private final UserDatabase users;
    private final LoginThrottle throttle;
    private final KeyDerivation keyDerivation;
    private final byte[] secret = new byte[32];

    public Authenticator(AuthConfig config, UserDatabase users, KeyDerivation keyDerivation) {
        this.config = config;
        this.users = users;
        this.keyDerivation = keyDerivation;
        this.throttle = new LoginThrottle(config.failureDelay(), config.failureDelayMax(),
                config.failureTrackedAddresses());
        new SecureRandom().nextBytes(secret);
    }

    /** True when PLAIN may be used on a connection: over TLS, from a loopback address, or when configured. */
    boolean plainAllowed(boolean tls, boolean loopback) {
        return tls || loopback || config.plainOnPlaintext();
    }

    /** Mechanisms to offer in WELCOME, in order of preference. */
    List<String> mechanisms(boolean sasl, boolean plainAllowed) {
        List<String> list = new ArrayList<>();
        if (sasl) {
            list.add(ProtocolVersion.MECH_SCRAM_SHA_256);
        }
        if (plainAllowed) {
            list.add(ProtocolVersion.MECH_PLAIN);
        }
        if (config.anonymous()) {
            list.add(ProtocolVersion.MECH_ANONYMOUS);
        }
        if (list.isEmpty()) {
            // WELCOME lists at least one mechanism: PLAIN, which AUTH then refuses with the reason.
            list.add(ProtocolVersion.MECH_PLAIN);
        }
        return list;
    }

    /** The user database. */
    public UserDatabase users() {
        return users;
    }

    /** The throttle of failed logins. */
    public LoginThrottle throttle() {
        return throttle;
    }

    /** The pool that runs PBKDF2 off the event loops (PLAIN here, HTTP Basic in the HTTP front end). */
    public KeyDerivation keyDerivation() {
        return keyDerivation;
    }

    /**
     * The credential a password for {@code user} is checked against: the user's, or for an unknown user a fake
     * one derived from this broker's secret, so that checking it costs the same and reveals nothing.
     */
    public ScramCredential credentialOf(String user) {
        return users.user(user).map(User::credential).orElseGet(() -> ScramServer.fake(secret, user));
    }

    boolean anonymous() {
        return config.anonymous();
    }

    byte[] secret() {
        return secret.clone();
    }
}
