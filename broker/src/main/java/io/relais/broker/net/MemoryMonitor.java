package io.relais.broker.net;

import io.relais.broker.core.queue.MessageQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically adds up the bytes held in memory by all queues (a durable queue's backlog is on
 * disk and does not count) and raises the memory alarm above
 * {@code limits.memory-high-watermark}, clearing it below 75% of it. While the alarm is raised,
 * sessions that publish stop reading from their sockets (TCP backpressure to publishers).
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
        long total = 0;
        for (MessageQueue q : context.topology().queues()) {
            total += q.memoryBytes();
        }
        if (!context.memoryAlarm() && total > high) {
            LOG.warn("memory alarm: queues hold {} bytes, above the high watermark of {}; publishers are paused",
                    total, high);
            context.memoryAlarm(true);
        } else if (context.memoryAlarm() && total < low) {
            LOG.info("memory alarm cleared: queues hold {} bytes; publishers resume", total);
            context.memoryAlarm(false);
        }
    }
}
