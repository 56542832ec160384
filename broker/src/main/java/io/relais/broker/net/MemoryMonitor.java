package io.relais.broker.net;

import io.relais.broker.core.queue.MessageQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically adds up the bytes held in memory by all queues (a durable queue's backlog is on
 * disk and does not count) and by the incomplete frames of all connections, and raises the memory
 * alarm above {@code limits.memory-high-watermark}, or when incomplete frames alone hold more than
 * {@code limits.partial-frame-memory}; it clears the alarm once both are below 75% of their limits.
 * While the alarm is raised, sessions that publish or hold an incomplete frame stop reading from
 * their sockets (TCP backpressure). A session whose read takes incomplete frames over their limit
 * raises the alarm itself at once, without waiting for this monitor's next run.
 *
 * <p>Runs as a scheduled task on one event loop; the alarm flag itself is volatile.
 */
public final class MemoryMonitor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);
    private final BrokerContext context;
    private final long high;
    private final long low;
    private final long partialHigh;
    private final long partialLow;

    public MemoryMonitor(BrokerContext context) {
        this.context = context;
        this.high = context.config().memoryHighWatermark();
        this.low = high / 4 * 3;
        this.partialHigh = context.config().partialFrameMemory();
        this.partialLow = partialHigh / 4 * 3;
    }

    @Override
    public void run() {
        long queued = 0;
        for (MessageQueue q : context.topology().queues()) {
            queued += q.memoryBytes();
        }
        long partial = context.partialFrameBytes();
        long total = queued + partial;
        if (!context.memoryAlarm() && (total > high || partial > partialHigh)) {
            LOG.warn("memory alarm: queues hold {} bytes and incomplete frames {} (limits: {} together, {} in "
                    + "incomplete frames); publishers are paused", queued, partial, high, partialHigh);
            context.memoryAlarm(true);
        } else if (context.memoryAlarm() && total < low && partial < partialLow) {
            LOG.info("memory alarm cleared: queues hold {} bytes and incomplete frames {}; publishers resume",
                    queued, partial);
            context.memoryAlarm(false);
        }
    }
}
