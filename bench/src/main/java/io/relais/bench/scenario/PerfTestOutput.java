package io.relais.bench.scenario;

import java.util.List;
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
 * and percentiles but no histogram, so the window's rates are the mean of its samples' rates and its
 * percentiles the mean of its samples' percentiles weighted by what each second received (confirmed, for
 * confirm latency); PerfTest has no p99.9. Stateless.
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
        int n = 0;
        double sent = 0;
        double received = 0;
        double[] latency = new double[2];
        double latencyWeight = 0;
        double[] confirm = new double[2];
        double confirmWeight = 0;
        for (Sample s : samples) {
            if (s.timeS() <= fromS || s.timeS() > toS) {
                continue;
            }
            n++;
            sent += s.sentPerS();
            received += s.receivedPerS();
            if (s.latencyUs() != null && s.receivedPerS() > 0) {
                latency[0] += s.latencyUs()[1] * (double) s.receivedPerS();
                latency[1] += s.latencyUs()[4] * (double) s.receivedPerS();
                latencyWeight += s.receivedPerS();
            }
            if (s.confirmLatencyUs() != null && s.confirmedPerS() > 0) {
                confirm[0] += s.confirmLatencyUs()[1] * (double) s.confirmedPerS();
                confirm[1] += s.confirmLatencyUs()[4] * (double) s.confirmedPerS();
                confirmWeight += s.confirmedPerS();
            }
        }
        if (n == 0) {
            return new Window(0, 0, 0, -1, -1, -1, -1);
        }
        return new Window(n, sent / n, received / n, mean(latency[0], latencyWeight), mean(latency[1], latencyWeight),
                mean(confirm[0], confirmWeight), mean(confirm[1], confirmWeight));
    }

    private static long mean(double sum, double weight) {
        return weight == 0 ? -1 : Math.round(sum / weight);
    }
}
