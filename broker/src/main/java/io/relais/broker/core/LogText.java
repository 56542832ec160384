package io.relais.broker.core;

/**
 * Makes a string that came from a client safe to put in a log line: control characters
 * (newlines above all, which would let a client forge a line), quotes and backslashes are
 * escaped as in JSON, so the result never spans lines and reads back unambiguously. Stateless.
 */
public final class LogText {
    private LogText() {
    }

    /** {@code text} escaped; {@code "null"} for null. */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c != '\u2028' && c != '\u2029') {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            appendEscape(out, c);
        }
        return out == null ? text : out.toString();
    }

    /** Appends {@code text} escaped to {@code out}. */
    static void appendEscape(StringBuilder out, char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
