package io.relais.broker.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered writer of Prometheus text (format 0.0.4) lines into an {@link OutputStream}: ASCII
 * names, whole numbers without going through {@code String}, and label values escaped as the format
 * says (backslash, double quote and line feed) and encoded as UTF-8. Writes to the stream in chunks
 * of {@value #CHUNK} bytes.
 *
 * <p>Not thread-safe: one per scrape.
 */
final class TextSink {
    static final int CHUNK = 32 * 1024;
    private final OutputStream out;
    private final byte[] buf = new byte[CHUNK];
    private int pos;

    TextSink(OutputStream out) {
        this.out = out;
    }

    /** Writes ASCII text as it is (names, HELP and TYPE lines of our own, which hold no escapes). */
    TextSink ascii(String s) throws IOException {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            ch(s.charAt(i));
        }
        return this;
    }

    /** Writes bytes as they are. */
    TextSink bytes(byte[] b) throws IOException {
        if (b.length > buf.length - pos) {
            flushBuffer();
            if (b.length > buf.length) {
                out.write(b);
                return this;
            }
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Writes a whole number in decimal. */
    TextSink number(long v) throws IOException {
        if (v == Long.MIN_VALUE) {
            return ascii(Long.toString(v));
        }
        if (buf.length - pos < 20) {
            flushBuffer();
        }
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        int start = pos;
        do {
            buf[pos++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = pos - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** Writes one character of ASCII. */
    TextSink ch(char c) throws IOException {
        if (pos == buf.length) {
            flushBuffer();
        }
        buf[pos++] = (byte) c;
        return this;
    }

    /** Writes what is buffered and flushes the stream. */
    void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void flushBuffer() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** {@code value} escaped for a label value ({@code \\}, {@code \"}, {@code \n}), as UTF-8 bytes. */
    static byte[] labelValue(String value) {
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c != '\\' && c != '"' && c != '\n';
        }
        String escaped = plain ? value
                : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return escaped.getBytes(StandardCharsets.UTF_8);
    }
}
