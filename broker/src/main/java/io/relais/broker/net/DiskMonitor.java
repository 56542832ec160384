package io.relais.broker.net;

import io.relais.broker.store.DiskSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the broker's disk alarm while the data directory's disk is below {@code store.min-free-disk}
 * and clears it once free space is back above the threshold plus a margin (a tenth of it, at least
 * 16 MiB), so the alarm does not flap; it logs each change once. While the alarm is raised every
 * publish that a durable queue would store, persistent or not, is refused with {@code DISK_FULL}
 * (1007) by the {@link PublishPath}, before anything is written.
 *
 * <p>It reads the {@link DiskSpace} that the stores keep up to date (probed on a store thread every
 * {@value DiskSpace#PROBE_MILLIS} ms and after every MiB written, and counted down by every write in
 * between), so it makes no system call itself. It runs when a probe changes the alarm, on the
 * probing store thread ({@link DiskSpace#onAlarmChange}), and as a scheduled task on one event loop
 * in case a change is missed; {@link #run} is synchronized, and the alarm flag it sets is volatile.
 */
public final class DiskMonitor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskMonitor.class);
    private final BrokerContext context;
    private final DiskSpace space;

    /** Mirrors the alarm of {@code space} into {@code context}, at once when it changes. */
    public DiskMonitor(BrokerContext context, DiskSpace space) {
        this.context = context;
        this.space = space;
        space.onAlarmChange(this);
    }

    @Override
    public synchronized void run() {
        boolean alarm = space.alarm();
        if (alarm == context.diskAlarm()) {
            return;
        }
        context.diskAlarm(alarm);
        if (alarm) {
            LOG.warn("disk alarm raised: {} MiB free on the disk of {}, below store.min-free-disk ({} MiB); "
                    + "publishes to durable queues are refused with DISK_FULL until {} MiB are free", space.free() >> 20,
                    space.where(), space.alarmLevel() >> 20, space.resumeLevel() >> 20);
        } else {
            LOG.info("disk alarm cleared: {} MiB free on the disk of {}; publishes to durable queues are accepted "
                    + "again", space.free() >> 20, space.where());
        }
    }
}
