package io.relais.bench.scenario;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one scenario run counts: messages sent and received, end-to-end latency (from the send timestamp in
 * the payload to the consumer) and confirm latency. Reset after the warm-up. A client process
 * ({@link ClientMain}) sends its own as one line ({@link #encode}); the runner adds them up ({@link #add}).
 * Thread-safe.
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

    /** One line, no spaces inside a field: {@code sent received latency confirmLatency}. */
    String encode() {
        return sent.sum() + " " + received.sum() + " " + latency.encode() + " " + confirmLatency.encode();
    }

    /** Adds what {@link #encode} wrote, in the fields {@code fields[from..from+3]}. */
    void add(String[] fields, int from) {
        sent.add(Long.parseLong(fields[from]));
        received.add(Long.parseLong(fields[from + 1]));
        latency.add(fields[from + 2]);
        confirmLatency.add(fields[from + 3]);
    }
}
