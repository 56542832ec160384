package io.relais.bench.scenario;

/**
 * Decides whether a measurement was in steady state: a run whose backlog (messages held for consumers: queue
 * depth, stream consumer pending and unacknowledged, a core NATS subscriber's pending and dropped) grew during
 * the measurement by more than {@value #MAX_GROWTH_PERCENT} % of the deliveries it should have made is
 * unsteady: the producers outran the consumers and its rates and latencies describe a queue filling up, not
 * a rate the system sustains. Stateless.
 */
final class Steadiness {
    /** The largest backlog growth of a steady run, in percent of the expected deliveries. */
    static final int MAX_GROWTH_PERCENT = 5;

    private Steadiness() {
    }

    /**
     * Whether a run was steady.
     *
     * @param backlogGrowth backlog at the end of the measurement minus at its start
     * @param expectedDeliveries messages sent during the measurement times the queues each one reaches
     */
    static boolean steady(long backlogGrowth, long expectedDeliveries) {
        return backlogGrowth * 100 <= (long) MAX_GROWTH_PERCENT * Math.max(0, expectedDeliveries);
    }
}
