package io.relais.bench.scenario;

/**
 * The outcome of one scenario on one system. Latencies are microseconds, -1 when not measured.
 * Immutable; thread-safe.
 *
 * @param scenario the scenario's name
 * @param system {@code relais} or {@code rabbitmq}
 * @param sentPerS messages sent per second during the measurement
 * @param receivedPerS deliveries per second (all consumers together)
 * @param p50Us end-to-end latency, median
 * @param p99Us end-to-end latency, 99th percentile
 * @param p999Us end-to-end latency, 99.9th percentile
 * @param confirmP50Us publish-to-confirm latency, median
 * @param confirmP99Us publish-to-confirm latency, 99th percentile
 * @param error why the run failed, or null
 */
public record Result(String scenario, String system, double sentPerS, double receivedPerS, long p50Us, long p99Us,
              long p999Us, long confirmP50Us, long confirmP99Us, String error) {

    static Result of(String scenario, String system, Stats stats, double seconds) {
        return new Result(scenario, system, stats.sent.sum() / seconds, stats.received.sum() / seconds,
                stats.latency.percentile(0.50), stats.latency.percentile(0.99), stats.latency.percentile(0.999),
                stats.confirmLatency.percentile(0.50), stats.confirmLatency.percentile(0.99), null);
    }

    static Result failed(String scenario, String system, Exception e) {
        return new Result(scenario, system, 0, 0, -1, -1, -1, -1, -1, e.toString());
    }
}
