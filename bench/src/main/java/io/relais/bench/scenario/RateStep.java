package io.relais.bench.scenario;

/**
 * One step of the {@code max-rate} scenario: the target rate and what the system did at it. Immutable;
 * thread-safe.
 *
 * @param targetPerS the producer's fixed rate
 * @param sentPerS messages sent per second during the step's measurement
 * @param receivedPerS deliveries per second
 * @param p99Us end-to-end latency, 99th percentile, -1 when nothing arrived
 * @param backlogGrowth the backlog at the end of the step minus at its start
 * @param steady whether the backlog stayed steady ({@link Steadiness})
 * @param sustained whether the system sustained the rate: received at least 98 % of the target, steady,
 *     and p99 under 10 ms
 */
record RateStep(long targetPerS, double sentPerS, double receivedPerS, long p99Us, long backlogGrowth,
                boolean steady, boolean sustained) {
    /** The share of the target a step must deliver to pass. */
    static final double MIN_RECEIVED_SHARE = 0.98;
    /** The p99 end-to-end latency a step must stay under to pass, in microseconds. */
    static final long MAX_P99_US = 10_000;

    static RateStep of(long target, double sentPerS, double receivedPerS, long p99Us, long backlogGrowth,
                       boolean steady) {
        boolean sustained = receivedPerS >= MIN_RECEIVED_SHARE * target && steady && p99Us >= 0
                && p99Us < MAX_P99_US;
        return new RateStep(target, sentPerS, receivedPerS, p99Us, backlogGrowth, steady, sustained);
    }
}
