package io.relais.bench.scenario;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts latencies in microseconds with about 1% precision, in fixed memory: values below 1024 have a bucket
 * each, larger ones fall into 128 buckets per power of two. Percentiles are read from the cumulative counts.
 *
 * <p>Thread-safe: recording is one atomic increment; reading while recording gives a consistent enough
 * snapshot for a report.
 */
final class Histogram {
    private static final int LINEAR = 1024;
    private static final int SUB = 128;
    private static final int MAX_POWER = 40;
    private final AtomicLongArray counts = new AtomicLongArray(LINEAR + (MAX_POWER - 10) * SUB);

    void record(long micros) {
        counts.incrementAndGet(index(Math.max(0, micros)));
    }

    private static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int power = 63 - Long.numberOfLeadingZeros(v);
        if (power >= MAX_POWER) {
            return LINEAR + (MAX_POWER - 10) * SUB - 1;
        }
        int sub = (int) ((v >>> (power - 7)) & (SUB - 1));
        return LINEAR + (power - 10) * SUB + sub;
    }

    private static long lowerBound(int index) {
        if (index < LINEAR) {
            return index;
        }
        int power = (index - LINEAR) / SUB + 10;
        int sub = (index - LINEAR) % SUB;
        return (1L << power) + ((long) sub << (power - 7));
    }

    long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The value at quantile {@code q} (0..1), or -1 when nothing was recorded. */
    long percentile(double q) {
        long total = count();
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank && counts.get(i) > 0) {
                return lowerBound(i);
            }
        }
        return lowerBound(counts.length() - 1);
    }

    /** The non-empty buckets as {@code index:count} pairs separated by commas ({@code -} when empty). */
    String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < counts.length(); i++) {
            long c = counts.get(i);
            if (c > 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(i).append(':').append(c);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** Adds the counts of a histogram written by {@link #encode} (of another process). */
    void add(String encoded) {
        if (encoded.equals("-")) {
            return;
        }
        for (String pair : encoded.split(",")) {
            int colon = pair.indexOf(':');
            counts.addAndGet(Integer.parseInt(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)));
        }
    }

    void reset() {
        for (int i = 0; i < counts.length(); i++) {
            counts.set(i, 0);
        }
    }
}
