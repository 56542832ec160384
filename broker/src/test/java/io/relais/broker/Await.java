package io.relais.broker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits in tests for what another thread or process makes true. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every 20 ms until it holds, failing after 15 s with {@code what}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
