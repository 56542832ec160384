package io.relais.broker.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One log line for a kind of event that can repeat many times a second (a message that cannot be
 * decoded, a frame refused, a record found damaged): the first occurrence is logged, the repeats
 * within the next {@code window} are only counted, and the first occurrence after the window is
 * logged with that count appended, for example
 * {@code "... (1234 more like this since the previous line; at most one per 10 s)"}. One instance per call site (the kind of
 * event), typically a {@code static final} field beside the class's logger.
 *
 * <p>A count of repeats is only written with the next line logged; repeats that are never followed
 * by another occurrence after the window are not reported. Use {@link #suppressed()} where that
 * matters (a test, a summary at close).
 *
 * <p>Thread-safe and lock-free: any thread may call it. Under a race at the end of a window at most
 * one extra line is logged per racing thread; counts are never lost, only possibly reported one
 * line later. A suppressed call costs two atomic operations (plus the caller's varargs array).
 */
public final class RateLimitedLog {
    /** The window used by {@link #every(Logger)}. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    private final Logger log;
    private final long windowNanos;
    private final String windowText;
    private final LongSupplier nanoClock;
    /** When the current window started; {@link Long#MIN_VALUE} before the first line. */
    private final AtomicLong windowStart = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param log       the logger lines go to
     * @param window    at most one line per window
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
     */
    public RateLimitedLog(Logger log, Duration window, LongSupplier nanoClock) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.log = log;
        this.windowNanos = window.toNanos();
        this.windowText = window.toMillis() % 1000 == 0 ? window.toSeconds() + " s" : window.toMillis() + " ms";
        this.nanoClock = nanoClock;
    }

    /** At most one line per {@link #DEFAULT_WINDOW} on {@code log}. */
    public static RateLimitedLog every(Logger log) {
        return new RateLimitedLog(log, DEFAULT_WINDOW, System::nanoTime);
    }

    /** Logs at WARN unless a line was logged within the window; {@code format} as SLF4J's. */
    public void warn(String format, Object... args) {
        long repeats = admit();
        if (repeats >= 0) {
            log.warn(withCount(format, repeats), args);
        }
    }

    /** Logs at ERROR unless a line was logged within the window; {@code format} as SLF4J's. */
    public void error(String format, Object... args) {
        long repeats = admit();
        if (repeats >= 0) {
            log.error(withCount(format, repeats), args);
        }
    }

    /** Repeats counted and not yet reported with a line. */
    public long suppressed() {
        return suppressed.get();
    }

    /** -1 to suppress this call, else the repeats suppressed since the last line logged. */
    private long admit() {
        long now = nanoClock.getAsLong();
        long start = windowStart.get();
        if (start != Long.MIN_VALUE && now - start < windowNanos) {
            suppressed.incrementAndGet();
            return -1;
        }
        if (!windowStart.compareAndSet(start, now)) {
            // Another thread opened the new window just now.
            suppressed.incrementAndGet();
            return -1;
        }
        return suppressed.getAndSet(0);
    }

    private String withCount(String format, long repeats) {
        return repeats == 0 ? format
                : format + " (" + repeats + " more like this since the previous line; at most one per " + windowText + ")";
    }
}
