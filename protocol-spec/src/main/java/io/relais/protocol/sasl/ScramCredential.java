package io.relais.protocol.sasl;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a SCRAM-SHA-256 server keeps of a password (RFC 5802 section 3): the salt, the iteration count,
 * StoredKey = H(ClientKey) and ServerKey. Neither key lets anyone log in: a client needs ClientKey, which
 * only the password gives. Immutable (the arrays are copied in and out); thread-safe.
 *
 * @param salt the salt, at least 8 bytes
 * @param iterations PBKDF2 iterations, at least {@link Scram#MIN_ITERATIONS}
 * @param storedKey H(HMAC(SaltedPassword, "Client Key")), 32 bytes
 * @param serverKey HMAC(SaltedPassword, "Server Key"), 32 bytes
 */
public record ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    /** The fewest salt bytes accepted. */
    public static final int MIN_SALT_BYTES = 8;
    /** The most salt bytes accepted. */
    public static final int MAX_SALT_BYTES = 64;

    /**
     * @throws IllegalArgumentException when a value is outside the limits above
     */
    public ScramCredential {
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(storedKey, "storedKey");
        Objects.requireNonNull(serverKey, "serverKey");
        if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            throw new IllegalArgumentException("the salt must have " + MIN_SALT_BYTES + " to " + MAX_SALT_BYTES
                    + " bytes, not " + salt.length);
        }
        if (iterations < Scram.MIN_ITERATIONS) {
            throw new IllegalArgumentException("the iteration count must be at least " + Scram.MIN_ITERATIONS
                    + ", not " + iterations);
        }
        if (storedKey.length != Scram.KEY_BYTES || serverKey.length != Scram.KEY_BYTES) {
            throw new IllegalArgumentException("StoredKey and ServerKey must have " + Scram.KEY_BYTES + " bytes each");
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** The credentials of {@code password} with this salt and iteration count. Slow (PBKDF2). */
    public static ScramCredential derive(String password, byte[] salt, int iterations) {
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        return new ScramCredential(salt, iterations, Scram.sha256(Scram.clientKey(salted)), Scram.serverKey(salted));
    }

    /** The credentials of {@code password} with a fresh random salt and the default iterations. Slow (PBKDF2). */
    public static ScramCredential create(String password) {
        return derive(password, Scram.salt(), Scram.DEFAULT_ITERATIONS);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /**
     * True when {@code saltedPassword} (of a password with this salt and count) is the one these keys were made
     * of; compares in constant time.
     */
    public boolean matches(byte[] saltedPassword) {
        return Scram.equal(Scram.sha256(Scram.clientKey(saltedPassword)), storedKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c && iterations == c.iterations && Scram.equal(salt, c.salt)
                && Scram.equal(storedKey, c.storedKey) && Scram.equal(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * iterations + Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return "ScramCredential[" + salt.length + "-byte salt, " + iterations + " iterations]";
    }
}
