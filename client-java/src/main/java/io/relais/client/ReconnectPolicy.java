package io.relais.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a client waits before each attempt to reconnect after its connection was lost, and when it
 * gives up. The default, {@link #DEFAULT}, backs off exponentially from 100 ms to 10 s with ±20% jitter
 * (so that many clients of a restarted broker do not come back in lockstep) and never gives up.
 *
 * <p>Implementations must be thread-safe; the built-in ones are immutable.
 */
@FunctionalInterface
public interface ReconnectPolicy {
    /** Exponential from 100 ms to 10 s, ±20% jitter, forever. */
    ReconnectPolicy DEFAULT = exponential(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);

    /**
     * The delay before reconnect attempt {@code attempt} (1 for the first after a loss), or {@code null} to
     * give up: the client then closes for good.
     */
    Duration delayBeforeAttempt(int attempt);

    /** Never reconnect: a lost connection closes the client, as the application must build a new one. */
    static ReconnectPolicy disabled() {
        return attempt -> null;
    }

    /** The same delay before every attempt, forever. */
    static ReconnectPolicy fixed(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return attempt -> delay;
    }

    /**
     * {@code initial × 2^(attempt-1)}, capped at {@code max}, each delay then multiplied by a random factor
     * in {@code [1 - jitter, 1 + jitter]}; forever.
     *
     * @param jitter from 0 (none) to 1
     */
    static ReconnectPolicy exponential(Duration initial, Duration max, double jitter) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("need 0 <= initial <= max and 0 <= jitter <= 1");
        }
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        return attempt -> {
            int doublings = Math.min(Math.max(attempt - 1, 0), 62);
            long base = initialNanos > (maxNanos >> doublings) ? maxNanos : Math.min(maxNanos, initialNanos << doublings);
            double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            return Duration.ofNanos((long) (base * factor));
        };
    }

    /** At most {@code attempts} attempts with this policy's delays, then give up. */
    default ReconnectPolicy limitedTo(int attempts) {
        return attempt -> attempt > attempts ? null : delayBeforeAttempt(attempt);
    }
}
