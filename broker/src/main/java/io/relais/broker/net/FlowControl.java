package io.relais.broker.net;

import io.netty.channel.Channel;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueFlow;
import io.relais.broker.metrics.LoopCounter;
import io.relais.broker.metrics.LoopCounters;
import io.relais.protocol.frame.Flow;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Flow control of one connection (PROTOCOL.md 7.8, points 3 to 6): a connection that has published
 * stops being read while a queue it published into is congested ({@link QueueFlow}), while its
 * outgoing buffer is above the high watermark (it publishes but does not read) or while the broker's
 * memory alarm is raised; reading resumes when all have cleared. Connections that never published keep
 * being read. Any connection also stops being read while a large frame it has begun waits for memory
 * for the rest of it ({@link #waitingForFrameMemory}, see {@link ConnectionDeadlines}). Decides only
 * the channel's autoRead, and tells a client that negotiated the {@code flow} capability with FLOW
 * when reading stops for a queue or the memory alarm and when it resumes; waking the queues when the
 * channel is writable again is the delivery path's part.
 *
 * <p>Owned by the channel's event loop, except {@link #memoryAlarmChanged} and {@link #released},
 * which any thread may call and which hand their work to the loop.
 */
final class FlowControl implements QueueFlow.Waiter {
    private final Channel channel;
    private final ClientProxy out;
    private final Handshake handshake;
    private final LoopCounters counters;
    /** The congested queues this connection waits for, in the order they stopped it. */
    private final Set<MessageQueue> blockedBy = new LinkedHashSet<>();
    private boolean publisher;
    private boolean pausedForWritability;
    private boolean pausedForMemory;
    private boolean holding;
    private boolean waitingForFrameMemory;
    private boolean announcedBlocked;
    private boolean closed;
    /** When reading last resumed after a pause (System.nanoTime), or 0. */
    private long resumedAtNanos;

    FlowControl(Channel channel, ClientProxy out, Handshake handshake, LoopCounters counters) {
        this.channel = channel;
        this.out = out;
        this.handshake = handshake;
        this.counters = counters;
    }

    /** The connection sent a PUBLISH: from now on it is paused when it must be. */
    void published() {
        if (!publisher) {
            publisher = true;
            update();
        }
    }

    /**
     * The last PUBLISH went to these congested queues: the connection waits for each of them, except
     * those it consumes from itself ({@code consumes}), which it must go on acknowledging to drain.
     */
    void congested(List<MessageQueue> queues, Predicate<MessageQueue> consumes) {
        if (closed) {
            return;
        }
        boolean added = false;
        for (int i = 0; i < queues.size(); i++) {
            MessageQueue q = queues.get(i);
            if (!blockedBy.contains(q) && !consumes.test(q) && q.flow().park(this)) {
                blockedBy.add(q);
                added = true;
            }
        }
        if (added) {
            update();
        }
    }

    @Override
    public void released(MessageQueue queue) {
        channel.eventLoop().execute(() -> {
            if (blockedBy.remove(queue)) {
                update();
            }
        });
    }

    /** The connection closed: no queue needs to tell it anything any more. */
    void closed() {
        closed = true;
        if (announcedBlocked) {
            counters.add(LoopCounter.FLOW_BLOCKED, -1);
        }
        for (MessageQueue q : blockedBy) {
            q.flow().unpark(this);
        }
        blockedBy.clear();
    }

    /** The channel's writability changed. */
    void writabilityChanged(boolean writable) {
        pausedForWritability = !writable;
        update();
    }

    /** The memory alarm was raised or cleared; any thread. */
    void memoryAlarmChanged(boolean on) {
        channel.eventLoop().execute(() -> {
            pausedForMemory = on;
            update();
        });
    }

    /** Frames wait for an earlier request's answer ({@code on}), or no longer: reading stops meanwhile. */
    void holding(boolean on) {
        if (holding != on) {
            holding = on;
            update();
        }
    }

    /** A large frame that has begun waits for memory for the rest of it ({@code on}), or no longer. */
    void waitingForFrameMemory(boolean on) {
        if (waitingForFrameMemory != on) {
            waitingForFrameMemory = on;
            update();
        }
    }

    /** False while reading is suspended, when the heartbeat timeout does not apply (PROTOCOL.md 3.4). */
    boolean reading() {
        return channel.config().isAutoRead();
    }

    /**
     * True while reading is suspended for the broker's own reasons other than memory (a publisher that
     * does not read, a congested queue, frames held for an answer), when the frame timeout does not run
     * either. False while the connection waits for frame memory or is paused by the memory alarm: its
     * frame timeout runs on (PROTOCOL.md 1.2, 7.8 point 5), so that an incomplete frame held by a paused
     * publisher cannot keep the alarm raised for ever.
     */
    boolean frameClockStopped() {
        return holding || (publisher && (pausedForWritability || !blockedBy.isEmpty()));
    }

    /** The connection has sent a PUBLISH: the memory alarm pauses it and counts its incomplete frame. */
    boolean publisher() {
        return publisher;
    }

    /** True if reading resumed after a pause less than {@code nanos} ago. */
    boolean resumedWithin(long nanos) {
        return resumedAtNanos != 0 && System.nanoTime() - resumedAtNanos < nanos;
    }

    private void update() {
        boolean flowBlocked = publisher && (pausedForMemory || !blockedBy.isEmpty());
        boolean read = !holding && !waitingForFrameMemory && !flowBlocked && !(publisher && pausedForWritability);
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
            if (read) {
                resumedAtNanos = System.nanoTime();
            }
        }
        if (flowBlocked != announcedBlocked && !closed) {
            announcedBlocked = flowBlocked;
            counters.add(LoopCounter.FLOW_BLOCKED, flowBlocked ? 1 : -1);
            if (handshake.flow()) {
                out.writeAndFlush(flowBlocked ? blockedFrame() : new Flow(false, "", "reading resumed"));
            }
        }
    }

    private Flow blockedFrame() {
        if (blockedBy.isEmpty()) {
            return new Flow(true, "", "the broker's memory alarm is raised (limits.memory-high-watermark)");
        }
        MessageQueue q = blockedBy.iterator().next();
        return new Flow(true, q.name(), "queue '" + q.name() + "' is congested: " + q.flow().reason());
    }
}
