package io.relais.broker.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-message counts of one network event loop ({@link LoopCounter}): plain {@code long} slots
 * that only that loop writes, with opaque stores (a plain store on x86: no lock, no compare-and-set, no
 * allocation), read by a scrape on any thread with opaque loads and summed over the loops by
 * {@link BrokerMetrics}. The slots sit between two cache lines of padding, so that two loops'
 * counters never share a line.
 *
 * <p>Single writer: every {@code add} must run on the loop the counters belong to (asserted when
 * assertions are on); reads are thread-safe and may see a count a moment old.
 */
public final class LoopCounters {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Slots of padding on each side: 128 bytes, two cache lines. */
    private static final int PAD = 16;
    private static final LoopCounter[] ALL = LoopCounter.values();

    private final long[] slots = new long[PAD + ALL.length + PAD];
    private final Thread owner;

    /**
     * Counters written only by {@code owner}; null for counters whose single writer is not checked (tests).
     */
    LoopCounters(Thread owner) {
        this.owner = owner;
    }

    /** Adds {@code n} to {@code counter}; on the owning loop only. */
    public void add(LoopCounter counter, long n) {
        assert owner == null || Thread.currentThread() == owner
                : "counter " + counter + " of " + owner.getName() + " written on " + Thread.currentThread().getName();
        int i = PAD + counter.ordinal();
        SLOTS.setOpaque(slots, i, (long) SLOTS.getOpaque(slots, i) + n);
    }

    /** Adds one to {@code counter}; on the owning loop only. */
    public void increment(LoopCounter counter) {
        add(counter, 1);
    }

    /** The current count; any thread. */
    public long get(LoopCounter counter) {
        return (long) SLOTS.getOpaque(slots, PAD + counter.ordinal());
    }
}
