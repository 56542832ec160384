package io.relais.broker.core.routing;

/**
 * The rules for topic binding patterns and routing keys, with AMQP 0-9-1 (RabbitMQ) semantics.
 *
 * <ul>
 *   <li>A key or pattern is a list of <em>words</em> separated by {@code '.'}. Splitting keeps
 *       empty words: {@code ""} is one empty word, {@code "a..b"} is {@code a}, {@code ""},
 *       {@code b}, and {@code "a."} is {@code a}, {@code ""}. There is no key with zero words.
 *   <li>In a pattern, the word {@code *} matches exactly one word (possibly empty) and the word
 *       {@code #} matches zero or more words. {@code '*'} and {@code '#'} must be whole words:
 *       {@code a*.b} and {@code a.#b} are invalid. Every other word matches itself exactly
 *       (case-sensitive, by {@code char}s).
 *   <li>A routing key may not contain {@code '*'} or {@code '#'} anywhere.
 *   <li>Both are at most {@value #MAX_BYTES} bytes in UTF-8. A lone surrogate is counted as
 *       3 bytes (well-formed strings, which the protocol decoder guarantees, are counted exactly).
 * </ul>
 *
 * <p>Examples: {@code a.#} matches {@code a}, {@code a.b}, {@code a.b.c}; {@code #} matches every
 * key including {@code ""}; {@code #.b} matches {@code b} and {@code x.y.b}; {@code *} matches
 * {@code ""} and {@code x} but not {@code x.y}.
 *
 * <p>Stateless; all methods are thread-safe. The validators return a message for humans (to be
 * sent back to a client in an error frame) rather than throwing.
 */
public final class TopicPattern {
    /** The longest pattern or routing key, in UTF-8 bytes. */
    public static final int MAX_BYTES = 255;

    private TopicPattern() {}

    /**
     * Checks a topic binding pattern.
     *
     * @return {@code null} if the pattern is valid, otherwise a message such as
     *     {@code bad pattern 'a*.b': '*' and '#' must be whole words}
     */
    public static String validatePattern(String pattern) {
        if (pattern == null) {
            return "bad pattern: missing";
        }
        if (utf8Length(pattern) > MAX_BYTES) {
            return "bad pattern '" + shorten(pattern) + "': longer than " + MAX_BYTES + " bytes in UTF-8";
        }
        int n = pattern.length();
        int start = 0;
        while (true) {
            int end = pattern.indexOf('.', start);
            if (end < 0) {
                end = n;
            }
            if (end - start != 1) {
                for (int i = start; i < end; i++) {
                    char c = pattern.charAt(i);
                    if (c == '*' || c == '#') {
                        return "bad pattern '" + pattern + "': '*' and '#' must be whole words";
                    }
                }
            }
            if (end == n) {
                return null;
            }
            start = end + 1;
        }
    }

    /**
     * Checks a routing key (of a published message, or of a topic or direct lookup).
     *
     * @return {@code null} if the key is valid, otherwise a message such as
     *     {@code bad routing key 'a.*': a routing key may not contain '*' or '#'}
     */
    public static String validateRoutingKey(String routingKey) {
        if (routingKey == null) {
            return "bad routing key: missing";
        }
        if (utf8Length(routingKey) > MAX_BYTES) {
            return "bad routing key '" + shorten(routingKey) + "': longer than " + MAX_BYTES
                    + " bytes in UTF-8";
        }
        if (routingKey.indexOf('*') >= 0 || routingKey.indexOf('#') >= 0) {
            return "bad routing key '" + routingKey + "': a routing key may not contain '*' or '#'";
        }
        return null;
    }

    /** Checks only the length (direct and fanout binding keys may contain any character). */
    static String validateKeyLength(String what, String key) {
        if (key == null) {
            return "bad " + what + ": missing";
        }
        if (utf8Length(key) > MAX_BYTES) {
            return "bad " + what + " '" + shorten(key) + "': longer than " + MAX_BYTES + " bytes in UTF-8";
        }
        return null;
    }

    /** The UTF-8 length of {@code s} without encoding it; stops counting early past the limit. */
    static int utf8Length(String s) {
        int n = s.length();
        if (n > MAX_BYTES * 4) {
            return n; // certainly too long; avoid scanning huge strings
        }
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
