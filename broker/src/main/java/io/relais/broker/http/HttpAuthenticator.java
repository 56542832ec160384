package io.relais.broker.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.net.Authenticator;
import io.relais.broker.security.LoginRefusedException;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.sasl.ScramCredential;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates API requests against the broker's users: {@code Authorization: Basic} checks the password
 * against the user's SCRAM credential (PBKDF2 on the broker's {@code KeyDerivation} pool, never on an event
 * loop, after the wait the login throttle gives the address; an unknown user costs the same as a wrong
 * password), {@code Authorization: Bearer} checks a token of {@link BearerTokens}. A Basic success is
 * remembered for {@value #CACHE_SECONDS} s keyed by a SHA-256 of the user name and password (never the
 * password itself) together with the credential it was checked against, so a password change ends it; at most
 * {@value #CACHE_ENTRIES} are kept. Each password check (not each cached request) is a login line in the
 * audit log, mechanism {@code http-basic}. The broker's internal users ({@code relais.*}) may not use HTTP;
 * loopback-only users only from a loopback address.
 *
 * <p>Thread-safe: the cache is guarded by its own lock; the throttle and the pool are thread-safe.
 */
final class HttpAuthenticator {
    static final int CACHE_SECONDS = 60;
    static final int CACHE_ENTRIES = 4096;
    private static final String MECHANISM = "http-basic";

    private record Cached(String user, ScramCredential credential, long untilNanos) {
    }

    private final UserDatabase users;
    private final Authenticator authenticator;
    private final BearerTokens tokens;
    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    HttpAuthenticator(UserDatabase users, Authenticator authenticator, BearerTokens tokens) {
        this.users = users;
        this.authenticator = authenticator;
        this.tokens = tokens;
    }

    /** The bearer tokens. */
    BearerTokens tokens() {
        return tokens;
    }

    /**
     * Who {@code request} comes from; fails with a 401 {@link ApiException}. Completes on {@code loop} or on
     * the key-derivation pool; callers hop back to their loop.
     */
    CompletableFuture<Principal> authenticate(ApiRequest request, EventExecutor loop) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return CompletableFuture.failedFuture(unauthorized("this request needs authentication: HTTP Basic with a "
                    + "user of the broker, or a bearer token from POST /api/tokens", true));
        }
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return CompletableFuture.completedFuture(bearer(value));
        }
        if (!scheme.equalsIgnoreCase("Basic")) {
            return CompletableFuture.failedFuture(unauthorized("unsupported authorization scheme '" + scheme
                    + "': use Basic or Bearer", true));
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(unauthorized("the Basic credentials are not valid base64", true));
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return CompletableFuture.failedFuture(unauthorized("the Basic credentials must be user:password", true));
        }
        return basic(request, decoded.substring(0, colon), decoded.substring(colon + 1), loop);
    }

    private Principal bearer(String token) {
        Optional<User> user = tokens.verify(token, System.currentTimeMillis());
        if (user.isEmpty()) {
            throw unauthorized("the bearer token is not valid: expired, revoked, issued before the broker restarted, "
                    + "or its user was deleted or changed password", false);
        }
        return new Principal(user.get().name(), user.get().tags(), token);
    }

    private CompletableFuture<Principal> basic(ApiRequest request, String name, String password, EventExecutor loop) {
        String address = request.remoteText();
        String key = cacheKey(name, password);
        Optional<User> account = users.user(name);
        Cached hit;
        synchronized (cache) {
            hit = cache.get(key);
        }
        InetAddress ip = request.remote() instanceof InetSocketAddress a ? a.getAddress() : null;
        // A success is reused for the same user, password and credential, and never for a loopback-only user
        // calling from elsewhere: the full check refuses that one.
        if (hit != null && hit.untilNanos() - System.nanoTime() > 0 && account.isPresent()
                && account.get().credential().equals(hit.credential())
                && (!account.get().loopbackOnly() || (ip != null && ip.isLoopbackAddress()))) {
            return CompletableFuture.completedFuture(new Principal(name, account.get().tags(), null));
        }
        long wait = ip == null ? 0 : authenticator.throttle().admit(ip, System.nanoTime());
        CompletableFuture<Principal> done = new CompletableFuture<>();
        Runnable check = () -> {
            ScramCredential credential = authenticator.credentialOf(name);
            authenticator.keyDerivation().saltedPassword(password, credential.salt(), credential.iterations())
                    .whenComplete((salted, failure) -> {
                        try {
                            done.complete(checked(name, address, ip, key, credential, salted, failure));
                        } catch (RuntimeException e) {
                            done.completeExceptionally(e);
                        }
                    });
        };
        if (wait > 0) {
            loop.schedule(check, wait, TimeUnit.NANOSECONDS);
        } else {
            check.run();
        }
        return done;
    }

    /** On the key-derivation pool: the outcome of a password check. */
    private Principal checked(String name, String address, InetAddress ip, String key, ScramCredential credential,
                              byte[] salted, Throwable failure) {
        Optional<User> account = users.user(name);
        String refusal;
        String auditReason;
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            refusal = cause instanceof LoginRefusedException r ? r.getMessage() : "internal error checking the "
                    + "password";
            auditReason = cause instanceof LoginRefusedException r ? r.auditReason() : String.valueOf(cause);
        } else if (account.isEmpty() || !account.get().credential().equals(credential)
                || !credential.matches(salted)) {
            refusal = "authentication failed for user '" + name + "': unknown user or wrong password";
            auditReason = account.isEmpty() ? "unknown user" : "wrong password";
        } else if (UserDatabase.internal(name)) {
            refusal = "user '" + name + "' is internal to the broker and may not use the HTTP API";
            auditReason = "internal user over HTTP";
        } else if (account.get().loopbackOnly() && (ip == null || !ip.isLoopbackAddress())) {
            refusal = "user '" + name + "' may log in only from a loopback address (127.0.0.1 or ::1), not from "
                    + address;
            auditReason = "loopback-only user from another address";
        } else {
            refusal = null;
            auditReason = null;
        }
        if (refusal != null) {
            if (ip != null) {
                authenticator.throttle().failed(ip, System.nanoTime());
            }
            AuditLog.login("http:" + address, name, MECHANISM, "", false, auditReason);
            throw unauthorized(refusal, true);
        }
        if (ip != null) {
            authenticator.throttle().succeeded(ip);
        }
        AuditLog.login("http:" + address, name, MECHANISM, "", true, null);
        synchronized (cache) {
            cache.put(key, new Cached(name, credential, System.nanoTime()
                    + TimeUnit.SECONDS.toNanos(CACHE_SECONDS)));
        }
        return new Principal(name, account.get().tags(), null);
    }

    private static String cacheKey(String name, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static ApiException unauthorized(String message, boolean challenge) {
        return new ApiException(HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTHENTICATION_FAILED, message, challenge);
    }
}
