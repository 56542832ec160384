package io.relais.protocol.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The client's side of one SCRAM-SHA-256 exchange (PROTOCOL.md 3.6): makes the client-first-message, reads
 * the server-first-message, makes the client-final-message from the salted password, and checks the
 * server-final-message, so that the client knows the server holds its credentials.
 *
 * <p>Owned by one thread at a time (the caller hands it over with happens-before, as a future does). The
 * salted password is slow to compute: the caller computes it with {@link Scram#saltedPassword} off its event
 * loop, from the salt and count {@link #serverFirst} returned.
 */
public final class ScramClient {
    private final String user;
    private final String clientNonce;
    private final String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private byte[] expectedSignature;

    /** An exchange for {@code user} with a fresh nonce. */
    public ScramClient(String user) {
        this(user, Scram.nonce());
    }

    /** An exchange for {@code user} with this nonce (tests use the RFC's). */
    public ScramClient(String user, String clientNonce) {
        this.user = user;
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + Scram.escapeName(user) + ",r=" + clientNonce;
    }

    /** The user this exchange logs in. */
    public String user() {
        return user;
    }

    /** The client-first-message, for AUTH.response: {@code n,,n=USER,r=NONCE}. */
    public byte[] clientFirst() {
        return (Scram.GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** The salt and iteration count of a server-first-message. */
    public record Challenge(byte[] salt, int iterations) {
    }

    /**
     * Reads the server-first-message.
     *
     * @throws IllegalArgumentException when it is malformed, its nonce does not extend ours, or its iteration
     *     count is below {@link Scram#MIN_ITERATIONS} or above {@link Scram#MAX_ITERATIONS}
     */
    public Challenge serverFirst(byte[] data) {
        String message = new String(data, StandardCharsets.UTF_8);
        Map<Character, String> a = Scram.attributes(message);
        if (a.containsKey('m')) {
            throw new IllegalArgumentException("the server asks for a mandatory extension (m=) this client lacks");
        }
        String r = a.get('r');
        String s = a.get('s');
        String i = a.get('i');
        if (r == null || s == null || i == null) {
            throw new IllegalArgumentException("the server-first-message lacks r=, s= or i=: " + message);
        }
        if (!r.startsWith(clientNonce) || r.length() == clientNonce.length()) {
            throw new IllegalArgumentException("the server's nonce does not extend the client's");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(i);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad iteration count '" + i + "'", e);
        }
        if (iterations < Scram.MIN_ITERATIONS || iterations > Scram.MAX_ITERATIONS) {
            throw new IllegalArgumentException("the server asks for " + iterations + " iterations; this client accepts "
                    + Scram.MIN_ITERATIONS + " to " + Scram.MAX_ITERATIONS);
        }
        byte[] salt = Scram.unbase64(s);
        if (salt.length == 0) {
            throw new IllegalArgumentException("empty salt");
        }
        serverFirst = message;
        nonce = r;
        return new Challenge(salt, iterations);
    }

    /** The client-final-message, for AUTH_RESPONSE: {@code c=biws,r=NONCE,p=PROOF}. */
    public byte[] clientFinal(byte[] saltedPassword) {
        if (serverFirst == null) {
            throw new IllegalStateException("no server-first-message yet");
        }
        String withoutProof = "c=" + Scram.CHANNEL_BINDING + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = Scram.clientKey(saltedPassword);
        byte[] signature = Scram.hmac(Scram.sha256(clientKey), authMessage);
        expectedSignature = Scram.hmac(Scram.serverKey(saltedPassword), authMessage);
        return (withoutProof + ",p=" + Scram.base64(Scram.xor(clientKey, signature))).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the server-final-message {@code v=SIGNATURE}.
     *
     * @throws IllegalArgumentException when it is an error ({@code e=}), malformed, or its signature is not
     *     the one a server holding this user's ServerKey makes: the server is not who it claims
     */
    public void serverFinal(byte[] data) {
        if (expectedSignature == null) {
            throw new IllegalStateException("no client-final-message yet");
        }
        String message = new String(data, StandardCharsets.UTF_8);
        Map<Character, String> a = Scram.attributes(message);
        if (a.containsKey('e')) {
            throw new IllegalArgumentException("the server refused: " + a.get('e'));
        }
        String v = a.get('v');
        if (v == null || !Scram.equal(Scram.unbase64(v), expectedSignature)) {
            throw new IllegalArgumentException("the server's signature is wrong: it does not hold the credentials of "
                    + "user '" + user + "'");
        }
    }
}
