package io.relais.bridge;

import java.util.Locale;

/**
 * How a link turns a source routing key into the destination's: {@code keep} it, add a {@code prefix:P},
 * or {@code rewrite:K} every message to the fixed key K. Immutable; thread-safe.
 *
 * @param kind keep, prefix or rewrite
 * @param value the prefix or the fixed key; empty for keep
 */
public record KeyMapping(Kind kind, String value) {
    /** The three mappings. */
    public enum Kind { KEEP, PREFIX, REWRITE }

    public static final KeyMapping KEEP = new KeyMapping(Kind.KEEP, "");

    /** Parses {@code keep}, {@code prefix:P} or {@code rewrite:K}. */
    public static KeyMapping parse(String spec) {
        if (spec == null || spec.equals("keep")) {
            return KEEP;
        }
        if (spec.startsWith("prefix:") && spec.length() > "prefix:".length()) {
            return new KeyMapping(Kind.PREFIX, spec.substring("prefix:".length()));
        }
        if (spec.startsWith("rewrite:") && spec.length() > "rewrite:".length()) {
            return new KeyMapping(Kind.REWRITE, spec.substring("rewrite:".length()));
        }
        throw new IllegalArgumentException("routing-key must be keep, prefix:<prefix> or rewrite:<key>, not '"
                + spec + "'");
    }

    /** The destination routing key for {@code sourceKey}. */
    public String apply(String sourceKey) {
        return switch (kind) {
            case KEEP -> sourceKey;
            case PREFIX -> value + sourceKey;
            case REWRITE -> value;
        };
    }

    @Override
    public String toString() {
        return kind == Kind.KEEP ? "keep" : kind.name().toLowerCase(Locale.ROOT) + ":" + value;
    }
}
