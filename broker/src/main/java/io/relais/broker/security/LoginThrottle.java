package io.relais.broker.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down logins from an address that failed to log in: after {@code f} consecutive failures from one
 * address, every attempt from it waits until {@code base × 2^(f-1)} (at most {@code max}) after the
 * previous attempt or failure; attempts made meanwhile are queued behind one another at that spacing, so
 * opening many connections at once does not help. A success resets the address. This class only computes
 * the waits: the caller schedules the attempt on its event loop, so no thread is held while it waits.
 *
 * <p>At most {@code maxTracked} addresses are remembered; beyond that the one used least recently is
 * forgotten (its next attempt is not delayed), so the memory it takes is bounded whatever an attacker does.
 *
 * <p>Thread-safe: the methods are synchronized; each is a map lookup, called once per login attempt.
 */
public final class LoginThrottle {
    private final long baseNanos;
    private final long maxNanos;
    private final int maxTracked;
    private final Map<InetAddress, Failures> failures;

    /** Tracking of one address. */
    private static final class Failures {
        int count;
        long nextNanos;
    }

    /**
     * @param base the delay after the first failure; zero turns the throttle off
     * @param max the longest delay
     * @param maxTracked addresses remembered at most
     */
    public LoginThrottle(Duration base, Duration max, int maxTracked) {
        this.baseNanos = base.toNanos();
        this.maxNanos = Math.max(max.toNanos(), baseNanos);
        this.maxTracked = maxTracked;
        this.failures = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
                return size() > LoginThrottle.this.maxTracked;
            }
        };
    }

    /** The delay of an attempt after {@code count} consecutive failures: 0, base, 2 base, 4 base, ... up to max. */
    public long delayNanos(int count) {
        if (count <= 0 || baseNanos == 0) {
            return 0;
        }
        int shift = Math.min(count - 1, 62);
        long d = baseNanos << shift;
        return d <= 0 || (d >> shift) != baseNanos ? maxNanos : Math.min(d, maxNanos);
    }

    /**
     * A login attempt from {@code address} starts at {@code nowNanos}: how long it must wait first (0 for an
     * address without failures). Reserves its slot, so the next attempt waits longer.
     */
    public synchronized long admit(InetAddress address, long nowNanos) {
        Failures f = failures.get(address);
        if (f == null || f.count == 0 || baseNanos == 0) {
            return 0;
        }
        long start = Math.max(nowNanos, f.nextNanos);
        f.nextNanos = start + delayNanos(f.count);
        return start - nowNanos;
    }

    /** A login from {@code address} failed at {@code nowNanos}. */
    public synchronized void failed(InetAddress address, long nowNanos) {
        Failures f = failures.computeIfAbsent(address, a -> new Failures());
        f.count = f.count == Integer.MAX_VALUE ? f.count : f.count + 1;
        f.nextNanos = Math.max(f.nextNanos, nowNanos + delayNanos(f.count));
    }

    /** A login from {@code address} succeeded: it is no longer slowed down. */
    public synchronized void succeeded(InetAddress address) {
        failures.remove(address);
    }

    /** Consecutive failures of {@code address}, 0 when it is not tracked. */
    public synchronized int failures(InetAddress address) {
        Failures f = failures.get(address);
        return f == null ? 0 : f.count;
    }

    /** Addresses tracked now, at most {@code maxTracked}. */
    public synchronized int tracked() {
        return failures.size();
    }
}
