package io.relais.client.impl;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread shared by every client of the JVM for deadlines that are not tied to a connection's
 * event loop (request/reply timeouts): created on first use, a daemon thread so that it never keeps the JVM
 * alive, never shut down. Cancelled tasks are removed at once, so many short-lived deadlines cost nothing
 * once they are cancelled. Tasks must be short and must not block.
 *
 * <p>Thread-safe (class-holder idiom).
 */
final class SharedTimer {
    private SharedTimer() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = create();
    }

    /** Runs {@code task} on the timer thread after {@code delay}, unless cancelled first. */
    static ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return Holder.TIMER.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                new DefaultThreadFactory("relais-client-timer", true));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
