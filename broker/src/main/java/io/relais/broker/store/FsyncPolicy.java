package io.relais.broker.store;

import java.time.Duration;
import java.util.Locale;

/**
 * When the broker forces stored messages from the page cache to the disk ({@code store.fsync}).
 *
 * <ul>
 *   <li>{@code never}: the operating system writes pages back when it likes (Linux: within about
 *       30 s). Survives a crash or {@code kill -9} of the broker, since the pages are in the kernel
 *       the moment a message is written; a power loss or kernel crash can lose what was written
 *       since the last write-back.</li>
 *   <li>{@code interval <duration>} (default {@code interval 1s}): as {@code never}, and every queue
 *       that wrote since the last tick is synced ({@code msync}) once per interval. Confirms do not
 *       wait for the sync, so a power loss can lose confirmed messages of the last interval.</li>
 *   <li>{@code always}: each batch of writes is synced before any message of it is confirmed. A
 *       confirmed message survives a power loss; throughput falls to what the disk syncs.</li>
 * </ul>
 *
 * <p>Immutable; thread-safe.
 *
 * @param mode which policy
 * @param interval the sync period for {@link Mode#INTERVAL}, zero otherwise
 */
public record FsyncPolicy(Mode mode, Duration interval) {
    /** The three policies. */
    public enum Mode { NEVER, INTERVAL, ALWAYS }

    /** The default: a process crash loses nothing confirmed, a power loss at most about a second. */
    public static final FsyncPolicy DEFAULT = new FsyncPolicy(Mode.INTERVAL, Duration.ofSeconds(1));

    public FsyncPolicy {
        if (mode == Mode.INTERVAL && (interval == null || interval.isZero() || interval.isNegative())) {
            throw new IllegalArgumentException("the interval must be positive");
        }
        interval = mode == Mode.INTERVAL ? interval : Duration.ZERO;
    }

    /** True if stored messages are ever synced explicitly. */
    public boolean syncs() {
        return mode != Mode.NEVER;
    }

    /**
     * Parses {@code never}, {@code always} or {@code interval <duration>} where the duration has
     * already been split off and parsed by the caller when present.
     */
    public static FsyncPolicy of(String mode, Duration interval) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "never" -> new FsyncPolicy(Mode.NEVER, Duration.ZERO);
            case "always" -> new FsyncPolicy(Mode.ALWAYS, Duration.ZERO);
            case "interval" -> new FsyncPolicy(Mode.INTERVAL, interval);
            default -> throw new IllegalArgumentException("must be 'never', 'always' or 'interval <duration>', not '"
                    + mode + "'");
        };
    }

    @Override
    public String toString() {
        return mode == Mode.INTERVAL ? "interval " + interval.toMillis() + "ms" : mode.name().toLowerCase(Locale.ROOT);
    }
}
