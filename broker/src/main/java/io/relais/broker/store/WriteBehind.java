package io.relais.broker.store;

import java.time.Duration;

/**
 * How long a durable queue may keep a message it delivers from memory before writing it
 * ({@code store.write-behind-delay}), and how many payload bytes it may keep unwritten so
 * ({@code store.write-behind-max-bytes}); see {@link StoredBacklog}. A message settled (acknowledged,
 * dropped, dead-lettered) within that time is never written, and its publisher's confirm is sent at
 * the settlement, as RabbitMQ does.
 *
 * <p>Why the defaults, 200 ms and 64 MiB:
 * <ul>
 *   <li>What is promised does not change with either value: a message is confirmed once written (per
 *       the fsync policy) or once settled by its consumer, so a crash or a power loss loses no more
 *       confirmed messages than without write-behind. The delay only postpones the confirm of messages
 *       that are not settled meanwhile, so it must be short against a publisher's confirm timeout and
 *       long against a consumer's round trip (a delivery and its ack take a few milliseconds to a few
 *       tens when the consumer keeps up); 200 ms is RabbitMQ's message-store sync interval. It is
 *       capped at the {@code interval} of the fsync policy, so that no confirm waits longer than a
 *       sync would.</li>
 *   <li>The bytes bound two things, each on its own: the payload kept unwritten (the writes owed at any
 *       moment, and so the work of a deadline or a clean close; beyond it the oldest are written at
 *       once), and the payload of held messages that wait in the queue's memory for a consumer (beyond
 *       it offers are written and read back as without write-behind). A message delivered and not yet
 *       acknowledged is in memory with or without write-behind (without, as the copy read back from the
 *       file). 64 MiB is one confirm window of 1,000 unconfirmed 64 KiB messages: with less, a publisher
 *       of large messages that keeps its window full would have part of every window written just
 *       before its consumer acknowledges it. The broker's memory alarm counts the held messages that
 *       wait, as it counts every ready message in memory.</li>
 * </ul>
 * A delay of 0 (or a bound of 0 bytes) turns write-behind off: every message is written at once and
 * read back for delivery.
 *
 * <p>Immutable; thread-safe.
 *
 * @param delay how long a message may stay unwritten; zero turns write-behind off
 * @param maxBytes payload bytes a queue may hold unwritten (beyond them its oldest are written at once), and
 *     payload bytes of held messages it may keep waiting for a consumer (beyond them offers are written
 *     and read back)
 */
public record WriteBehind(Duration delay, long maxBytes) {
    /** The defaults of the configuration reference. */
    public static final WriteBehind DEFAULT = new WriteBehind(Duration.ofMillis(200), 64L << 20);

    /** Write-behind turned off: messages are written as they arrive. */
    public static final WriteBehind OFF = new WriteBehind(Duration.ZERO, 0);

    public WriteBehind {
        if (delay == null || delay.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException("the write-behind delay and bytes must be 0 or more");
        }
    }

    /** True unless turned off. */
    public boolean enabled() {
        return !delay.isZero() && maxBytes > 0;
    }

    /** The delay in milliseconds under {@code fsync}: at most its interval; 0 if turned off. */
    public long delayMillis(FsyncPolicy fsync) {
        if (!enabled()) {
            return 0;
        }
        long millis = Math.max(1, delay.toMillis());
        return fsync.mode() == FsyncPolicy.Mode.INTERVAL ? Math.min(millis, Math.max(1, fsync.interval().toMillis()))
                : millis;
    }
}
