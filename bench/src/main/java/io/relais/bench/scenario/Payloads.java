package io.relais.bench.scenario;

/** Message bodies that carry their send time: the first 8 bytes are {@link System#nanoTime()}, big-endian. */
final class Payloads {
    private Payloads() {
    }

    /** A new body of {@code size} bytes (at least 8) stamped with the current time. */
    static byte[] stamped(int size) {
        byte[] b = new byte[Math.max(8, size)];
        long t = System.nanoTime();
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) t;
            t >>>= 8;
        }
        return b;
    }

    /** The send time written by {@link #stamped}. */
    static long sentNanos(byte[] body) {
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = (t << 8) | (body[i] & 0xff);
        }
        return t;
    }
}
