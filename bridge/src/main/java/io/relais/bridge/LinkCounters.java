package io.relais.bridge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one link has done: messages forwarded (confirmed by the destination, or sent when at most once),
 * in flight (received from the source, not yet settled there), redelivered by the source, dropped because
 * they came from the destination side (loop prevention), and errors. Thread-safe.
 */
public final class LinkCounters {
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();
    final AtomicLong redelivered = new AtomicLong();
    final AtomicLong loopsDropped = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    public long forwarded() {
        return forwarded.get();
    }

    public long inFlight() {
        return inFlight.get();
    }

    public long redelivered() {
        return redelivered.get();
    }

    public long loopsDropped() {
        return loopsDropped.get();
    }

    public long errors() {
        return errors.get();
    }

    @Override
    public String toString() {
        return "forwarded " + forwarded + ", in flight " + inFlight + ", redelivered " + redelivered
                + ", loops dropped " + loopsDropped + ", errors " + errors;
    }
}
