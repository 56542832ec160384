package io.relais.broker.http;

import io.relais.broker.security.User;
import io.relais.broker.security.UserDirectory;
import io.relais.protocol.sasl.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the API's bearer tokens, which hold no state on the broker: a token is
 * {@code base64url(user) "." expiry "." base64url(HMAC-SHA256(key, user "|" expiry "|" fingerprint))} with a
 * random key made per broker run, where the fingerprint is a hash of the user's SCRAM credential. So a token
 * stops working at its expiry, at a broker restart, when its user is deleted, and when the user's password
 * changes (the credential, so the fingerprint, changes). Revoked tokens ({@code DELETE /api/tokens/current})
 * are remembered until they expire, at most {@value #MAX_REVOKED}; beyond that the oldest-expiring revocation
 * is forgotten early only if it has expired, else the revocation is refused (the caller is told). Thread-safe:
 * the key is immutable, the revocation table is guarded by this object's lock, and issuing and checking never
 * block.
 */
final class BearerTokens {
    /** Revoked tokens remembered at most. */
    static final int MAX_REVOKED = 100_000;

    private final byte[] key = new byte[32];
    private final UserDirectory users;
    private final Duration lifetime;
    /** Revoked token MACs (base64) to their expiry, epoch ms, in insertion order. */
    private final Map<String, Long> revoked = new LinkedHashMap<>();

    /**
     * @param users where a token's user and its current credential are looked up
     * @param lifetime how long a new token is valid
     */
    BearerTokens(UserDirectory users, Duration lifetime) {
        this.users = users;
        this.lifetime = lifetime;
        new SecureRandom().nextBytes(key);
    }

    /** A token issued for {@code user}, and when it expires. */
    record Issued(String token, String user, long expiresAtMillis) {
    }

    /** A new token for {@code user} (which exists), valid for the configured lifetime from {@code nowMillis}. */
    Issued issue(User user, long nowMillis) {
        long expiry = nowMillis + lifetime.toMillis();
        String name = Base64.getUrlEncoder().withoutPadding().encodeToString(user.name().getBytes(StandardCharsets.UTF_8));
        String token = name + "." + expiry + "." + mac(user.name(), expiry, user.credential());
        return new Issued(token, user.name(), expiry);
    }

    /** The user {@code token} stands for at {@code nowMillis}, or empty if it is not valid (any reason). */
    Optional<User> verify(String token, long nowMillis) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        String name;
        long expiry;
        try {
            name = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
            expiry = Long.parseLong(parts[1]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (expiry <= nowMillis) {
            return Optional.empty();
        }
        Optional<User> user = users.user(name);
        if (user.isEmpty()) {
            return Optional.empty();
        }
        String expected = mac(name, expiry, user.get().credential());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        synchronized (this) {
            if (revoked.containsKey(parts[2])) {
                return Optional.empty();
            }
        }
        return user;
    }

    /**
     * Revokes {@code token} (which {@link #verify} accepted) until it expires.
     *
     * @return false if the table of revocations is full of unexpired ones
     */
    synchronized boolean revoke(String token, long nowMillis) {
        String[] parts = token.split("\\.", -1);
        long expiry = Long.parseLong(parts[1]);
        Iterator<Map.Entry<String, Long>> it = revoked.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() <= nowMillis) {
                it.remove();
            }
        }
        if (revoked.size() >= MAX_REVOKED) {
            return false;
        }
        revoked.put(parts[2], expiry);
        return true;
    }

    /** Revocations remembered now (for tests). */
    synchronized int revokedCount() {
        return revoked.size();
    }

    private String mac(String user, long expiry, ScramCredential credential) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(credential.salt());
            sha.update(credential.storedKey());
            sha.update(credential.serverKey());
            String fingerprint = Base64.getEncoder().encodeToString(sha.digest());
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] tag = hmac.doFinal((user + "|" + expiry + "|" + fingerprint + "|" + credential.iterations())
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
