package io.relais.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that can only be observed by asking (a queue's depth, a counter), by checking it
 * every 20 ms until a deadline. Stateless; usable from any thread.
 */
final class Poll {
    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @throws AssertionError with {@code what} and {@code diagnostics} when it still does not hold after
     *     {@code timeout}
     */
    static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; "
                        + diagnostics.get());
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
