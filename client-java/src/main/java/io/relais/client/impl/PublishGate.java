package io.relais.client.impl;

import io.netty.channel.Channel;
import io.relais.client.Backpressure;
import io.relais.client.RelaisException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The backpressure of one connection's publishes: the window of unconfirmed publishes
 * ({@code maxUnconfirmed} permits) and the bound on bytes waiting to be written ({@code maxBufferedBytes}).
 * When either is full a publish waits (at most the request timeout, not counting the time during which the
 * broker said it does not read: {@link FlowClock}) or fails at once, as the
 * {@link Backpressure} option says; a publish made on the event loop never waits.
 *
 * <p>Thread-safe: publishers on any thread wait here; the event loop wakes them through
 * {@link #writabilityChanged()} (a monitor), and the byte count is atomic.
 */
final class PublishGate {
    /** Longest single wait for room, so that queued writes draining (which do not signal) are noticed. */
    private static final long ROOM_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Longest single wait for a confirm permit, so that the broker stopping to read is noticed. */
    private static final long PERMIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ClientConfig config;
    private final Semaphore unconfirmedPermits;
    private final Object writability = new Object();
    /** Payload bytes of publishes handed to the event loop and not yet written into the channel. */
    private final AtomicLong queuedBytes = new AtomicLong();

    private final FlowClock clock;

    PublishGate(ClientConfig config, FlowClock clock) {
        this.config = config;
        this.clock = clock;
        this.unconfirmedPermits = new Semaphore(config.maxUnconfirmed());
    }

    /**
     * Takes a place in the unconfirmed window; give it back with {@link #releaseConfirmWindow()}.
     *
     * @return null once taken, or the failure for the publish
     */
    RelaisException acquireConfirmWindow(boolean onEventLoop) {
        boolean acquired;
        if (onEventLoop || config.backpressure() == Backpressure.FAIL) {
            acquired = unconfirmedPermits.tryAcquire(); // never block the event loop
        } else {
            try {
                acquired = awaitPermit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new RelaisException(null, "interrupted while waiting for a confirm window", e);
            }
        }
        if (acquired) {
            return null;
        }
        return new RelaisException(null, config.backpressure() == Backpressure.FAIL
                ? config.maxUnconfirmed() + " publishes are waiting for their confirms (the limit)"
                : "timed out after " + Durations.format(config.requestTimeout()) + " waiting for room among "
                + config.maxUnconfirmed() + " unconfirmed publishes");
    }

    /** Waits for a permit at most the request timeout on the {@link FlowClock}, which stands still while the broker does not read. */
    private boolean awaitPermit() throws InterruptedException {
        long deadline = clock.now() + config.requestTimeout().toNanos();
        while (true) {
            long left = deadline - clock.now();
            if (left <= 0) {
                return false;
            }
            if (unconfirmedPermits.tryAcquire(Math.min(left, PERMIT_POLL_NANOS), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
    }

    void releaseConfirmWindow() {
        unconfirmedPermits.release();
    }

    /**
     * Waits, when the policy says block and not on the event loop, until the socket takes more bytes.
     *
     * @param open false once the connection is closing: then nobody waits
     * @return null if there is room (or the connection is not open), or the failure for the publish
     */
    RelaisException awaitRoom(Channel ch, BooleanSupplier open) {
        if (hasRoom(ch) || !open.getAsBoolean()) {
            return null;
        }
        if (config.backpressure() == Backpressure.FAIL || ch.eventLoop().inEventLoop()) {
            return new RelaisException(null, "send buffer full: more than " + config.maxBufferedBytes()
                    + " bytes are waiting to be written to the broker");
        }
        long deadline = clock.now() + config.requestTimeout().toNanos();
        synchronized (writability) {
            while (!hasRoom(ch) && open.getAsBoolean()) {
                long left = deadline - clock.now();
                if (left <= 0) {
                    return new RelaisException(null, "timed out after " + Durations.format(config.requestTimeout())
                            + " waiting for room in the send buffer (the broker is not reading)");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(writability, Math.min(left, ROOM_POLL_NANOS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new RelaisException(null, "interrupted while waiting for room in the send buffer", e);
                }
            }
        }
        return null;
    }

    /**
     * Room for one more publish: what is in the channel plus what is on its way there stays under the bound
     * (each caller may add one message beyond it).
     */
    private boolean hasRoom(Channel ch) {
        return ch.isWritable() && queuedBytes.get() < ch.bytesBeforeUnwritable();
    }

    /** A publish of {@code bytes} is on its way to the event loop. */
    void queued(int bytes) {
        queuedBytes.addAndGet(bytes);
    }

    /** A publish of {@code bytes} reached the event loop (written into the channel, or failed). */
    void dequeued(int bytes) {
        queuedBytes.addAndGet(-bytes);
    }

    /** The channel became writable or not (or closed): wake publishers waiting for room. Any thread. */
    void writabilityChanged() {
        synchronized (writability) {
            writability.notifyAll();
        }
    }
}
