package io.relais.bench.scenario;

/**
 * Decides whether a measurement was in steady state. Two measures, each of which must stay within
 * {@value #MAX_GROWTH_PERCENT} % of the deliveries the run should have made (messages sent times the queues
 * each reaches):
 *
 * <ul>
 *   <li>the backlog growth: what the system holds for consumers (queue depth, stream consumer pending and
 *       unacknowledged, a core NATS subscriber's pending and dropped) at the end of the measurement minus at
 *       its start;</li>
 *   <li>the delivery deficit: deliveries it should have made minus those it made. This one also sees
 *       messages that left the queue but not yet reached a handler (pushed into a consumer's socket or client
 *       buffer with automatic acknowledgement, where a depth probe does not see them).</li>
 * </ul>
 *
 * A run over either limit is unsteady: the producers outran the consumers and its rates and latencies
 * describe a queue filling up, not a rate the system sustains. Stateless.
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
     * @param deliveries deliveries made during the measurement
     * @param expectedDeliveries messages sent during the measurement times the queues each one reaches
     */
    static boolean steady(long backlogGrowth, long deliveries, long expectedDeliveries) {
        long limit = (long) MAX_GROWTH_PERCENT * Math.max(0, expectedDeliveries);
        return backlogGrowth * 100 <= limit && (expectedDeliveries - deliveries) * 100 <= limit;
    }
}
