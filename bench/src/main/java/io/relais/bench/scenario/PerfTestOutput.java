package io.relais.bench.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads RabbitMQ PerfTest's console output: one sample line a second (PerfTest's default metrics format,
 * {@code -i 1}), such as
 *
 * <pre>
 * id: test-1, time 3.000 s, sent: 5049 msg/s, confirmed: 5044 msg/s, nacked: 0 msg/s, received: 5086 msg/s,
 *     min/median/75th/95th/99th consumer latency: 101/379/837/7834/36881 µs, confirm latency: 281/636/1340/12568/39257 µs
 * </pre>
 *
 * (one line in the output), and sums the samples of a measurement window. PerfTest prints per-second rates
 * and percentiles but no histogram, so the window's rates are the mean of its samples' rates, its p50 the
 * median of the seconds' medians and its p99 the median of the seconds' 99th percentiles, each second
 * weighted by what it received (confirmed, for confirm latency). A median of seconds is not moved by one slow
 * second, where the exact percentile of the window would be: on a noisy machine these figures lean in
 * RabbitMQ's favour. PerfTest has no p99.9. Stateless.
 */
final class PerfTestOutput {
    private static final Pattern TIME = Pattern.compile("time:? ([0-9.]+) ?s,");
    private static final Pattern SENT = Pattern.compile("sent: ([0-9]+) msg/s");
    private static final Pattern CONFIRMED = Pattern.compile("confirmed: ([0-9]+) msg/s");
    private static final Pattern RECEIVED = Pattern.compile("received: ([0-9]+) msg/s");
    private static final Pattern LATENCY = Pattern.compile(
            "consumer latency: ([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+) (\\S+)");
    private static final Pattern CONFIRM_LATENCY = Pattern.compile(
            "confirm latency: ([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+) (\\S+)");

    private PerfTestOutput() {
    }

    /**
     * One second of a PerfTest run. Latencies in microseconds: min, median, 75th, 95th, 99th percentile;
     * {@code confirmLatency} is null without confirms.
     */
    record Sample(double timeS, long sentPerS, long confirmedPerS, long receivedPerS, long[] latencyUs,
                  long[] confirmLatencyUs) {
    }

    /** A measurement window's figures; latencies -1 when nothing was measured. */
    record Window(int samples, double sentPerS, double receivedPerS, long p50Us, long p99Us, long confirmP50Us,
                  long confirmP99Us) {
    }

    /** The sample on {@code line}, or null when the line is not one. */
    static Sample parse(String line) {
        Matcher time = TIME.matcher(line);
        Matcher sent = SENT.matcher(line);
        Matcher received = RECEIVED.matcher(line);
        if (!time.find() || !sent.find() || !received.find()) {
            return null;
        }
        Matcher confirmed = CONFIRMED.matcher(line);
        return new Sample(Double.parseDouble(time.group(1)), Long.parseLong(sent.group(1)),
                confirmed.find() ? Long.parseLong(confirmed.group(1)) : 0, Long.parseLong(received.group(1)),
                percentiles(LATENCY.matcher(line)), percentiles(CONFIRM_LATENCY.matcher(line)));
    }

    private static long[] percentiles(Matcher m) {
        if (!m.find()) {
            return null;
        }
        long unit = m.group(6).equals("ms") ? 1000 : 1;
        long[] p = new long[5];
        for (int i = 0; i < 5; i++) {
            p[i] = Long.parseLong(m.group(i + 1)) * unit;
        }
        return p;
    }

    /** The samples whose time is in {@code (fromS, toS]}, summed as the class comment says. */
    static Window window(List<Sample> samples, double fromS, double toS) {
        List<Sample> in = new ArrayList<>();
        double sent = 0;
        double received = 0;
        for (Sample s : samples) {
            if (s.timeS() > fromS && s.timeS() <= toS) {
                in.add(s);
                sent += s.sentPerS();
                received += s.receivedPerS();
            }
        }
        if (in.isEmpty()) {
            return new Window(0, 0, 0, -1, -1, -1, -1);
        }
        return new Window(in.size(), sent / in.size(), received / in.size(),
                weightedMedian(in, s -> s.latencyUs(), Sample::receivedPerS, 1),
                weightedMedian(in, s -> s.latencyUs(), Sample::receivedPerS, 4),
                weightedMedian(in, s -> s.confirmLatencyUs(), Sample::confirmedPerS, 1),
                weightedMedian(in, s -> s.confirmLatencyUs(), Sample::confirmedPerS, 4));
    }

    /** The weighted median of one percentile column over the samples that have it, or -1. */
    private static long weightedMedian(List<Sample> samples, Function<Sample, long[]> column,
                                       ToLongFunction<Sample> weight, int index) {
        List<long[]> values = new ArrayList<>();
        long total = 0;
        for (Sample s : samples) {
            long[] p = column.apply(s);
            long w = weight.applyAsLong(s);
            if (p != null && w > 0) {
                values.add(new long[] {p[index], w});
                total += w;
            }
        }
        if (values.isEmpty()) {
            return -1;
        }
        values.sort(Comparator.comparingLong(v -> v[0]));
        long seen = 0;
        for (long[] v : values) {
            seen += v[1];
            if (seen * 2 >= total) {
                return v[0];
            }
        }
        return values.get(values.size() - 1)[0];
    }
}
