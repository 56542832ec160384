package io.relais.client.impl;

/**
 * The clock of one connection's request and confirm deadlines: {@link System#nanoTime()} that stands
 * still while the broker has told the client, with FLOW, that it stopped reading from the connection
 * (PROTOCOL.md 4.33). A publish or request the broker does not read cannot be answered, so the time
 * it waits meanwhile does not count towards its timeout.
 *
 * <p>Thread-safe: the event loop changes it; deadlines are read on any thread. Each change publishes
 * one immutable state, so readers never combine halves of two.
 */
final class FlowClock {
    /** How long the clock has stood still before, and since when it stands still now (0: it runs). */
    private record State(long stoppedNanos, long stoppedSince) {
    }

    private volatile State state = new State(0, 0);

    /** Now, on this clock. */
    long now() {
        State s = state;
        long real = System.nanoTime();
        return real - s.stoppedNanos - (s.stoppedSince != 0 ? real - s.stoppedSince : 0);
    }

    /** True while the broker does not read from the connection. */
    boolean stopped() {
        return state.stoppedSince != 0;
    }

    /** The broker stopped ({@code true}) or resumed reading; on the event loop. */
    void brokerReading(boolean reading) {
        State s = state;
        long real = System.nanoTime();
        if (!reading && s.stoppedSince == 0) {
            state = new State(s.stoppedNanos, real == 0 ? 1 : real);
        } else if (reading && s.stoppedSince != 0) {
            state = new State(s.stoppedNanos + (real - s.stoppedSince), 0);
        }
    }
}
