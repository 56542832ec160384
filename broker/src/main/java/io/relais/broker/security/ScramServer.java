package io.relais.broker.security;

import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The server's side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677; PROTOCOL.md 3.6): reads the
 * client-first-message and answers the server-first-message ({@link #first}), then checks the client's proof
 * in the client-final-message and answers the server-final-message, the server's signature
 * ({@link #last}). No channel binding: the GS2 header is {@code n,,} (or {@code y,,}); {@code p=} is refused.
 *
 * <p>An unknown user gets a salt and keys derived from a per-broker secret and its name, so the exchange
 * looks the same as for a known user (the same salt every time, the same iteration count, the same
 * refusal): nothing tells an unknown user from a wrong password. The checks are HMACs and a hash, cheap
 * enough for the event loop: no PBKDF2 here, the client did that.
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
public final class ScramServer {
    /** What the client is told for an unknown user and for a wrong password alike. */
    static final String REFUSED = "unknown user or wrong password";

    private final UserDirectory users;
    private final byte[] secret;
    private final String serverNonce;
    private String user;
    private User account;
    private ScramCredential credential;
    private String gs2Header;
    private String authzid;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    /**
     * @param users where credentials are looked up
     * @param secret the per-broker secret unknown users' fake credentials are derived from
     */
    public ScramServer(UserDirectory users, byte[] secret) {
        this(users, secret, Scram.nonce());
    }

    /** With a fixed server nonce part (tests use the RFC's). */
    public ScramServer(UserDirectory users, byte[] secret, String serverNonce) {
        this.users = users;
        this.secret = secret.clone();
        this.serverNonce = serverNonce;
    }

    /** The user the client named; null before {@link #first}. */
    public String user() {
        return user;
    }

    /** The user's record once {@link #last} succeeded. */
    public User account() {
        return account;
    }

    /**
     * Reads the client-first-message, returns the server-first-message {@code r=NONCE,s=SALT,i=COUNT}.
     *
     * @throws LoginRefusedException when the message is malformed or asks for channel binding or an extension
     */
    public byte[] first(byte[] data) {
        String m = new String(data, StandardCharsets.UTF_8);
        int c1 = m.indexOf(',');
        int c2 = c1 < 0 ? -1 : m.indexOf(',', c1 + 1);
        if (c2 < 0) {
            throw malformed("the client-first-message must start with a GS2 header such as 'n,,'");
        }
        String flag = m.substring(0, c1);
        if (flag.startsWith("p=")) {
            throw new LoginRefusedException("channel binding is not supported (no SCRAM-SHA-256-PLUS): send the GS2"
                    + " header 'n,,'", "channel binding requested");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw malformed("the GS2 channel-binding flag must be 'n'");
        }
        String authz = m.substring(c1 + 1, c2);
        if (!authz.isEmpty() && !authz.startsWith("a=")) {
            throw malformed("the GS2 authorization identity must be empty or a=NAME");
        }
        gs2Header = m.substring(0, c2 + 1);
        clientFirstBare = m.substring(c2 + 1);
        Map<Character, String> a = attributes(clientFirstBare);
        if (!clientFirstBare.startsWith("n=") || !a.containsKey('r') || a.get('r').isEmpty()) {
            throw malformed("the client-first-message must be n=USER,r=NONCE after the GS2 header");
        }
        if (a.containsKey('m')) {
            throw malformed("mandatory extensions (m=) are not supported");
        }
        try {
            user = Scram.unescapeName(a.get('n'));
            authzid = authz.isEmpty() ? "" : Scram.unescapeName(authz.substring(2));
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
        if (a.get('r').indexOf(',') >= 0) {
            throw malformed("bad nonce");
        }
        account = users.user(user).orElse(null);
        credential = account != null ? account.credential() : fake(secret, user);
        nonce = a.get('r') + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + Scram.base64(credential.salt()) + ",i=" + credential.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the client-final-message, returns the server-final-message {@code v=SIGNATURE}.
     *
     * @throws LoginRefusedException for a wrong proof, an unknown user, a mismatched nonce or channel binding,
     *     or an authorization identity other than the user
     */
    public byte[] last(byte[] data) {
        if (serverFirst == null) {
            throw new IllegalStateException("no client-first-message yet");
        }
        String m = new String(data, StandardCharsets.UTF_8);
        int p = m.lastIndexOf(",p=");
        if (p < 0) {
            throw malformed("the client-final-message must end with ,p=PROOF");
        }
        String withoutProof = m.substring(0, p);
        Map<Character, String> a = attributes(m);
        if (!m.startsWith("c=") || a.get('r') == null) {
            throw malformed("the client-final-message must be c=BINDING,r=NONCE,p=PROOF");
        }
        byte[] binding;
        byte[] proof;
        try {
            binding = Scram.unbase64(a.get('c'));
            proof = Scram.unbase64(a.get('p'));
        } catch (IllegalArgumentException e) {
            throw malformed("c= and p= must be base64");
        }
        if (!Arrays.equals(binding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw malformed("c= must be the base64 of the GS2 header of the client-first-message");
        }
        if (!a.get('r').equals(nonce)) {
            throw malformed("the nonce is not the one of the server-first-message");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = credential.storedKey();
        boolean proven = proof.length == Scram.KEY_BYTES
                && Scram.equal(Scram.sha256(Scram.xor(proof, Scram.hmac(storedKey, authMessage))), storedKey);
        if (!proven || account == null) {
            throw new LoginRefusedException("authentication failed for user '" + user + "': " + REFUSED,
                    account == null ? "unknown user" : "wrong password");
        }
        if (!authzid.isEmpty() && !authzid.equals(user)) {
            throw new LoginRefusedException("user '" + user + "' may not act as '" + authzid + "'",
                    "authorization identity differs");
        }
        return ("v=" + Scram.base64(Scram.hmac(credential.serverKey(), authMessage))).getBytes(StandardCharsets.UTF_8);
    }

    /** The credentials an unknown user seems to have: always the same for a name and broker secret. */
    public static ScramCredential fake(byte[] secret, String name) {
        byte[] salt = Arrays.copyOf(Scram.hmac(secret, "salt:" + name), Scram.SALT_BYTES);
        return new ScramCredential(salt, Scram.DEFAULT_ITERATIONS, Scram.hmac(secret, "stored:" + name),
                Scram.hmac(secret, "server:" + name));
    }

    private static Map<Character, String> attributes(String message) {
        try {
            return Scram.attributes(message);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static LoginRefusedException malformed(String why) {
        return new LoginRefusedException("malformed SCRAM-SHA-256 message: " + why, "malformed SCRAM message");
    }
}
