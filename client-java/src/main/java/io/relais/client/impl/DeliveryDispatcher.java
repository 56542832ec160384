package io.relais.client.impl;

import io.netty.channel.Channel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands deliveries from the event loop to the handler executor, and applies backpressure: when more than
 * {@code maxPending} deliveries wait for the executor it turns the channel's autoRead off, so the client
 * stops reading and the broker keeps further messages in its queues; autoRead goes back on when the
 * backlog has halved.
 *
 * <p>{@link #dispatch(Runnable)} is called on the event loop; the tasks run on the executor. The backlog
 * counter is the only state shared between the two (atomic); autoRead is only changed on the event loop.
 */
final class DeliveryDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryDispatcher.class);

    private final Executor executor;
    private final int maxPending;
    private final int resumeAt;
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable resumeReads = this::resumeReads;
    private Channel channel;

    DeliveryDispatcher(Executor executor, int maxPending) {
        this.executor = executor;
        this.maxPending = maxPending;
        this.resumeAt = maxPending / 2;
    }

    void channel(Channel channel) {
        this.channel = channel;
    }

    /** Deliveries handed to the executor and not yet handled. */
    int pending() {
        return pending.get();
    }

    /**
     * Runs a delivery task on the executor; on the event loop only. The task is the delivery itself (one
     * executor hand-off per delivery, no wrapper): it calls {@link #handled()} when done.
     */
    void dispatch(Runnable task) {
        int n = pending.incrementAndGet();
        if (n > maxPending && channel.config().isAutoRead()) {
            LOG.debug("{} deliveries waiting for the handler executor: pausing reads", n);
            channel.config().setAutoRead(false);
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet();
            LOG.warn("handler executor refused a delivery; it is dropped", e);
        }
    }

    /** A dispatched task has run; on the handler executor. */
    void handled() {
        if (pending.decrementAndGet() == resumeAt) {
            channel.eventLoop().execute(resumeReads);
        }
    }

    private void resumeReads() {
        if (!channel.config().isAutoRead()) {
            LOG.debug("handler backlog down to {}: resuming reads", pending.get());
            channel.config().setAutoRead(true);
        }
    }
}
