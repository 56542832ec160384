package io.relais.broker.metrics;

/**
 * The links of a bridge running in the broker's process, as the metrics read them at every scrape
 * ({@link BrokerMetrics#registerBridge}): the broker does not depend on the bridge module, so whoever
 * starts the bridge (the CLI's {@code relais broker}) adapts its counters to this.
 *
 * <p>Implementations are called on the scraping thread and must be thread-safe and quick: read
 * counters, no I/O.
 */
@FunctionalInterface
public interface BridgeLinks {
    /** Tells {@code visitor} about every link, once each. */
    void forEach(Visitor visitor);

    /** Receives one link's counters. */
    @FunctionalInterface
    interface Visitor {
        /**
         * One link.
         *
         * @param name the link's name
         * @param forwarded messages forwarded (confirmed by the destination, or sent when at most once)
         * @param inFlight messages received from the source and not settled there yet
         * @param redelivered messages the source delivered again
         * @param loopsDropped messages dropped because they came from the destination side
         * @param errors errors (failed sends, lost connections)
         */
        void link(String name, long forwarded, long inFlight, long redelivered, long loopsDropped, long errors);
    }
}
