package io.relais.client.impl;

import java.time.Duration;

/** Durations in messages, as people write them: 10s, 250ms, 1m30s. Stateless; thread-safe. */
final class Durations {
    private Durations() {
    }

    /** A duration as people write it: 10s, 250ms, 1m30s. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60 || s % 60 != 0 && s < 600) {
            return s < 60 ? s + "s" : s / 60 + "m" + s % 60 + "s";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
