package io.relais.protocol.sasl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives of SCRAM-SHA-256 (RFC 5802 section 3, RFC 7677): Hi (PBKDF2 with HMAC-SHA-256), HMAC, H,
 * XOR, the escaping of user names in messages, the parsing of {@code k=v,k=v} messages, and nonces.
 *
 * <p>Passwords are used as their UTF-8 bytes, without SASLprep (the same for every ASCII password; a client
 * with a non-ASCII password must not normalize it either, PROTOCOL.md 3.6). Stateless; thread-safe.
 * {@link #saltedPassword} is slow on purpose (thousands of HMACs): never call it on a network event loop.
 */
public final class Scram {
    /** The mechanism name in WELCOME and AUTH. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** The least iteration count a server stores and a client accepts (RFC 7677 section 4). */
    public static final int MIN_ITERATIONS = 4096;
    /** Iterations the client and the broker use for new credentials. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** The most iterations a client accepts from a server: more would let a server stall it. */
    public static final int MAX_ITERATIONS = 1_000_000;
    /** Bytes of a new salt. */
    public static final int SALT_BYTES = 16;
    /** Bytes of StoredKey, ServerKey, proofs and signatures (SHA-256). */
    public static final int KEY_BYTES = 32;
    /** The only GS2 header this implementation sends: no channel binding, no authorization identity. */
    public static final String GS2_HEADER = "n,,";
    /** {@code c=} of the client-final-message for {@link #GS2_HEADER}: its base64. */
    public static final String CHANNEL_BINDING = Base64.getEncoder().encodeToString(
            GS2_HEADER.getBytes(StandardCharsets.US_ASCII));

    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    /** SaltedPassword = Hi(password, salt, i): PBKDF2-HMAC-SHA-256 of the password's UTF-8 bytes. Slow. */
    public static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        if (salt.length == 0) {
            throw new IllegalArgumentException("empty salt");
        }
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** HMAC-SHA-256(key, data). */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    /** HMAC-SHA-256(key, the UTF-8 bytes of text). */
    public static byte[] hmac(byte[] key, String text) {
        return hmac(key, text.getBytes(StandardCharsets.UTF_8));
    }

    /** H(data): SHA-256. */
    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** ClientKey = HMAC(SaltedPassword, "Client Key"). */
    public static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    /** ServerKey = HMAC(SaltedPassword, "Server Key"). */
    public static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    /** a XOR b, both of the same length. */
    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** A user name as it appears in {@code n=}: {@code =} as {@code =3D}, {@code ,} as {@code =2C}. */
    public static String escapeName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /**
     * The user name of an {@code n=} attribute.
     *
     * @throws IllegalArgumentException for a {@code =} not followed by {@code 2C} or {@code 3D}
     */
    public static String unescapeName(String escaped) {
        StringBuilder out = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '=') {
                out.append(c);
            } else if (escaped.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (escaped.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                throw new IllegalArgumentException("'=' in a user name must be written =3D, and ',' =2C");
            }
        }
        return out.toString();
    }

    /**
     * The attributes of a message {@code a=value,b=value,...}, in order; a value may contain {@code =}.
     *
     * @throws IllegalArgumentException when an attribute is not a letter, {@code =} and a value, or repeats
     */
    public static Map<Character, String> attributes(String message) {
        Map<Character, String> out = new LinkedHashMap<>();
        for (String part : message.split(",", -1)) {
            if (part.length() < 2 || part.charAt(1) != '=' || !Character.isLetter(part.charAt(0))) {
                throw new IllegalArgumentException("'" + part + "' is not an attribute a=value");
            }
            if (out.put(part.charAt(0), part.substring(2)) != null) {
                throw new IllegalArgumentException("attribute '" + part.charAt(0) + "' given twice");
            }
        }
        return out;
    }

    /** A fresh nonce: 18 random bytes in base64 (24 printable characters, no comma). */
    public static String nonce() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** A fresh random salt of {@link #SALT_BYTES}. */
    public static byte[] salt() {
        byte[] b = new byte[SALT_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Base64 of bytes. */
    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Bytes of base64 text.
     *
     * @throws IllegalArgumentException when it is not base64
     */
    public static byte[] unbase64(String text) {
        return Base64.getDecoder().decode(text);
    }

    /** Compares two secrets in time that does not depend on where they differ. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
