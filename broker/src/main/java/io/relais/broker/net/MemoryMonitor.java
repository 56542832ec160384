package io.relais.broker.net;

import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically adds up the bytes held in memory by all queues (a durable queue's backlog is on
 * disk and does not count) and by the incomplete frames of the connections that have published (the
 * ones the alarm pauses; see {@link BrokerContext#alarmPartialFrameBytes}), and raises the memory
 * alarm above {@code limits.memory-high-watermark}, clearing it below 75% of it. While the alarm is
 * raised, sessions that publish stop reading from their sockets (TCP backpressure to publishers);
 * their frame timeout runs on meanwhile, so an incomplete frame they hold is completed or closed with
 * 2012 and cannot hold the alarm up (PROTOCOL.md 7.8 point 5).
 * Each run also wakes one session waiting for frame memory, if any, so that none waits on a
 * wake-up that crossed its request ({@link BrokerContext#awaitFrameMemory}).
 *
 * <p>Runs as a scheduled task on one event loop; the alarm flag itself is volatile.
 */
public final class MemoryMonitor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);
    private final BrokerContext context;
    private final long high;
    private final long low;

    public MemoryMonitor(BrokerContext context) {
        this.context = context;
        this.high = context.config().memoryHighWatermark();
        this.low = high / 4 * 3;
    }

    @Override
    public void run() {
        long queued = 0;
        for (Topology t : context.vhosts().all()) {
            for (MessageQueue q : t.queues()) {
                queued += q.memoryBytes();
            }
        }
        long partial = context.alarmPartialFrameBytes();
        long total = queued + partial;
        if (!context.memoryAlarm() && total > high) {
            LOG.warn("memory alarm: queues hold {} bytes and incomplete frames {}, above the high watermark of {}; "
                    + "publishers are paused", queued, partial, high);
            context.memoryAlarm(true);
        } else if (context.memoryAlarm() && total < low) {
            LOG.info("memory alarm cleared: queues hold {} bytes and incomplete frames {}; publishers resume",
                    queued, partial);
            context.memoryAlarm(false);
        }
        context.wakeFrameMemoryWaiter();
    }
}
