package io.relais.bench.scenario;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one scenario run counts: messages sent and received, end-to-end latency (from the send timestamp in
 * the payload to the consumer) and confirm latency. Reset after the warm-up. Thread-safe.
 */
final class Stats {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final Histogram latency = new Histogram();
    final Histogram confirmLatency = new Histogram();

    /** A message was sent. */
    void sent() {
        sent.increment();
    }

    /** A message arrived; {@code sentNanos} is the timestamp the producer wrote into it. */
    void received(long sentNanos) {
        received.increment();
        latency.record((System.nanoTime() - sentNanos) / 1000);
    }

    /** A confirm arrived for a message sent at {@code sentNanos}. */
    void confirmed(long sentNanos) {
        confirmLatency.record((System.nanoTime() - sentNanos) / 1000);
    }

    void reset() {
        sent.reset();
        received.reset();
        latency.reset();
        confirmLatency.reset();
    }
}
