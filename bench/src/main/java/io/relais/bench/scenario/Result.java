package io.relais.bench.scenario;

import java.util.List;

/**
 * The outcome of one scenario on one system. Latencies are microseconds, -1 when not measured.
 * Immutable; thread-safe.
 *
 * @param scenario the scenario's name
 * @param system {@code relais}, {@code rabbitmq} (PerfTest) or {@code nats}
 * @param sentPerS messages sent per second during the measurement
 * @param receivedPerS deliveries per second (all consumers together)
 * @param p50Us end-to-end latency, median
 * @param p99Us end-to-end latency, 99th percentile
 * @param p999Us end-to-end latency, 99.9th percentile
 * @param confirmP50Us publish-to-confirm latency, median
 * @param confirmP99Us publish-to-confirm latency, 99th percentile
 * @param backlogGrowth the backlog at the end of the measurement minus at its start
 * @param steady whether the backlog stayed steady ({@link Steadiness})
 * @param maxRatePerS for {@code max-rate}, the highest rate sustained (0 when none was), else -1
 * @param steps for {@code max-rate}, every step run, else empty
 * @param error why the run failed, or null
 */
public record Result(String scenario, String system, double sentPerS, double receivedPerS, long p50Us, long p99Us,
                     long p999Us, long confirmP50Us, long confirmP99Us, long backlogGrowth, boolean steady,
                     long maxRatePerS, List<RateStep> steps, String error) {

    /** A flat-out or paced run: rates from the counts over {@code seconds}, steadiness from the backlog. */
    static Result of(String scenario, String system, Stats stats, double seconds, long backlogGrowth,
                     int deliveriesPerMessage) {
        long sent = stats.sent.sum();
        long received = stats.received.sum();
        return new Result(scenario, system, sent / seconds, received / seconds,
                stats.latency.percentile(0.50), stats.latency.percentile(0.99), stats.latency.percentile(0.999),
                stats.confirmLatency.percentile(0.50), stats.confirmLatency.percentile(0.99), backlogGrowth,
                Steadiness.steady(backlogGrowth, received, sent * deliveriesPerMessage), -1, List.of(), null);
    }

    /** A {@code max-rate} run: the figures of the last sustained step, or of the first step if none was. */
    static Result maxRate(String scenario, String system, List<RateStep> steps) {
        RateStep best = null;
        for (RateStep s : steps) {
            if (s.sustained()) {
                best = s;
            }
        }
        RateStep shown = best != null ? best : steps.get(0);
        return new Result(scenario, system, shown.sentPerS(), shown.receivedPerS(), -1, shown.p99Us(), -1, -1, -1,
                shown.backlogGrowth(), shown.steady(), best == null ? 0 : best.targetPerS(), List.copyOf(steps),
                null);
    }

    static Result failed(String scenario, String system, Exception e) {
        return new Result(scenario, system, 0, 0, -1, -1, -1, -1, -1, 0, false, -1, List.of(), e.toString());
    }
}
