package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.Names;
import io.relais.broker.security.LoginRefusedException;
import io.relais.broker.security.ScramServer;
import io.relais.broker.security.User;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthChallenge;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.sasl.ScramCredential;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One connection's login (PROTOCOL.md 3.3 step 4 and 3.6): waits out the delay the {@link Authenticator}'s
 * throttle gives its address (scheduled on the loop, holding no thread), then runs the mechanism the client
 * chose: ANONYMOUS at once; EXTERNAL with the user the client's trusted certificate names
 * ({@link ExternalAuthenticator}); PLAIN by deriving the salted password on the key-derivation pool and comparing
 * it with the user's StoredKey; SCRAM-SHA-256 as AUTH, AUTH_CHALLENGE, AUTH_RESPONSE, AUTH_CHALLENGE (done),
 * with a {@link ScramServer}. A loopback-only user is refused from any other address, after its credentials
 * were checked (so the refusal tells nothing to someone without the password). Every outcome is written to
 * the audit log, and counted by the throttle.
 *
 * <p>Owned by the connection's event loop: {@link #start} and {@link #respond} run there, and the futures they
 * return complete there.
 */
final class Login {
    private final Authenticator auth;
    private final ClientProxy out;
    private final Channel channel;
    private final EventLoop loop;
    private final InetAddress address;
    private final String addressText;
    private final boolean loopback;
    private final TlsPeer tls;
    private final ExternalAuthenticator external;
    private String mechanism = "";
    private String vhost = Names.DEFAULT_VHOST;
    /** Once the mechanism accepted the user: null to let it in, or why it is refused (its virtual host). */
    private Function<String, String> admit = user -> null;
    private String user = "";
    private ScramServer scram;
    private boolean awaiting;
    /** The step under way: completes with true (authenticated) or false (challenge sent), or fails. */
    private CompletableFuture<Boolean> step;

    Login(Authenticator auth, ExternalAuthenticator external, Channel channel, TlsPeer tls, ClientProxy out) {
        this.auth = auth;
        this.external = external;
        this.out = out;
        this.channel = channel;
        this.loop = channel.eventLoop();
        SocketAddress remote = channel.remoteAddress();
        this.address = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        this.addressText = address == null ? String.valueOf(remote) : address.getHostAddress();
        // Anything but TCP (a local transport) is as local as loopback.
        this.loopback = address == null || address.isLoopbackAddress();
        // Asked when needed: the TLS handler joins the pipeline only once the first bytes showed a TLS handshake.
        this.tls = tls;
    }

    /** True when PLAIN may be used on this connection. */
    boolean plainAllowed() {
        return auth.plainAllowed(tls.secure(), loopback);
    }

    /** True while a SCRAM exchange waits for the client's AUTH_RESPONSE. */
    boolean awaitingResponse() {
        return awaiting;
    }

    /** The user name the client gave (authenticated once the login succeeded); empty for ANONYMOUS. */
    String user() {
        return user;
    }

    /**
     * Starts the login with the client's AUTH.
     *
     * @param offered the mechanisms WELCOME offered
     * @param admitUser asked once the mechanism accepted the user: null lets it in, a message refuses the login
     * @return completes with true when the client is authenticated, false when a challenge was sent and an
     *     AUTH_RESPONSE is awaited; fails with a {@link ProtocolException} 2006 when refused
     */
    CompletableFuture<Boolean> start(Auth frame, List<String> offered, Function<String, String> admitUser) {
        this.admit = admitUser;
        this.vhost = frame.vhost();
        step = new CompletableFuture<>();
        CompletableFuture<Boolean> result = step;
        long wait = address == null ? 0 : auth.throttle().admit(address, System.nanoTime());
        Runnable begin = () -> {
            if (!channel.isActive()) {
                return; // closed while it waited (handshake timeout, client gone): nothing to log in
            }
            try {
                begin(frame, offered);
            } catch (LoginRefusedException e) {
                refuse(e);
            }
        };
        if (wait > 0) {
            loop.schedule(begin, wait, TimeUnit.NANOSECONDS);
        } else {
            begin.run();
        }
        return result;
    }

    /** Continues a SCRAM exchange with the client's AUTH_RESPONSE; completes as {@link #start}. */
    CompletableFuture<Boolean> respond(AuthResponse frame) {
        step = new CompletableFuture<>();
        CompletableFuture<Boolean> result = step;
        awaiting = false;
        try {
            byte[] last = scram.last(frame.data());
            User account = scram.account();
            checkAddress(account);
            out.write(new AuthChallenge(last, true));
            succeed();
        } catch (LoginRefusedException e) {
            refuse(e);
        }
        return result;
    }

    private void begin(Auth frame, List<String> offered) {
        mechanism = frame.mechanism();
        if (!offered.contains(mechanism)) {
            if (mechanism.equals(ProtocolVersion.MECH_PLAIN) && !plainAllowed()) {
                throw new LoginRefusedException("PLAIN is refused on a connection without TLS from a non-loopback "
                        + "address: use SCRAM-SHA-256 (negotiate the sasl capability) or TLS", "PLAIN without TLS");
            }
            if (mechanism.equals(ProtocolVersion.MECH_EXTERNAL)) {
                // Say why: no TLS, no certificate.
                String reason = "EXTERNAL is not offered on this connection";
                try {
                    external.authenticate(frame.response(), tls.certificates());
                } catch (ProtocolException e) {
                    reason = e.getMessage();
                }
                throw new LoginRefusedException(reason, "EXTERNAL not offered");
            }
            if (mechanism.equals(ProtocolVersion.MECH_SCRAM_SHA_256)) {
                throw new LoginRefusedException("SCRAM-SHA-256 needs the sasl capability: list it in HELLO",
                        "SCRAM without the sasl capability");
            }
            throw new LoginRefusedException("mechanism '" + mechanism + "' is not offered; offered: " + offered,
                    "mechanism not offered");
        }
        switch (mechanism) {
            case ProtocolVersion.MECH_ANONYMOUS -> succeed();
            case ProtocolVersion.MECH_PLAIN -> plain(frame.response());
            case ProtocolVersion.MECH_EXTERNAL -> external(frame.response());
            default -> {
                scram = new ScramServer(auth.users(), auth.secret());
                byte[] first = scram.first(frame.response());
                user = scram.user();
                awaiting = true;
                out.write(new AuthChallenge(first, false));
                step.complete(false);
            }
        }
    }

    private void plain(byte[] response) {
        String[] parts = new String(response, StandardCharsets.UTF_8).split("\u0000", -1);
        if (parts.length != 3) {
            throw new LoginRefusedException("PLAIN response must be authzid NUL username NUL password",
                    "malformed PLAIN response");
        }
        user = parts[1];
        if (!parts[0].isEmpty() && !parts[0].equals(user)) {
            throw new LoginRefusedException("user '" + user + "' may not act as '" + parts[0] + "'",
                    "authorization identity differs");
        }
        Optional<User> account = auth.users().user(user);
        ScramCredential credential = account.map(User::credential)
                .orElseGet(() -> ScramServer.fake(auth.secret(), user));
        auth.keyDerivation().saltedPassword(parts[2], credential.salt(), credential.iterations())
                .whenCompleteAsync((salted, failure) -> {
                    try {
                        if (failure != null) {
                            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                            throw cause instanceof LoginRefusedException refused ? refused
                                    : new LoginRefusedException("internal error checking the password",
                                    String.valueOf(cause));
                        }
                        if (account.isEmpty() || !credential.matches(salted)) {
                            throw new LoginRefusedException("authentication failed for user '" + user + "': unknown "
                                    + "user or wrong password", account.isEmpty() ? "unknown user" : "wrong password");
                        }
                        checkAddress(account.get());
                        succeed();
                    } catch (LoginRefusedException e) {
                        refuse(e);
                    }
                }, loop);
    }

    private void external(byte[] response) {
        try {
            user = external.authenticate(response, tls.certificates());
        } catch (ProtocolException e) {
            throw new LoginRefusedException(e.getMessage(), "certificate refused");
        }
        User account = auth.users().user(user).orElseThrow(() -> new LoginRefusedException("the certificate "
                + "names user '" + user + "', which is not a known user", "unknown user"));
        checkAddress(account);
        succeed();
    }

    private void checkAddress(User account) {
        if (account != null && account.loopbackOnly() && !loopback) {
            throw new LoginRefusedException("user '" + account.name() + "' may log in only from a loopback address "
                    + "(127.0.0.1 or ::1), not from " + addressText, "loopback-only user from another address");
        }
    }

    private void succeed() {
        String refusal = admit.apply(user);
        if (refusal != null) {
            refuse(new LoginRefusedException(refusal, "access to vhost refused"));
            return;
        }
        if (address != null) {
            auth.throttle().succeeded(address);
        }
        AuditLog.login(addressText, user, mechanism, vhost, true, null);
        step.complete(true);
    }

    private void refuse(LoginRefusedException e) {
        auth.loginFailed();
        if (address != null) {
            auth.throttle().failed(address, System.nanoTime());
        }
        AuditLog.login(addressText, user, mechanism, vhost, false, e.auditReason());
        step.completeExceptionally(new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, e.getMessage()));
    }
}
