package io.relais.broker.net;

import io.netty.channel.Channel;

/**
 * Flow control of one connection (PROTOCOL.md 7.8, points 4 to 6): a connection that has published
 * stops being read while its outgoing buffer is above the high watermark (it publishes but does not
 * read) or while the broker's memory alarm is raised; reading resumes when both have cleared.
 * Connections that never published keep being read. Any connection also stops being read while a
 * large frame it has begun waits for memory for the rest of it ({@link #waitingForFrameMemory}, see
 * {@link ConnectionDeadlines}). Decides only the channel's autoRead; waking the queues when the
 * channel is writable again is the delivery path's part.
 *
 * <p>Owned by the channel's event loop, except {@link #memoryAlarmChanged}, which any thread may call.
 */
final class FlowControl {
    private final Channel channel;
    private boolean publisher;
    private boolean pausedForWritability;
    private boolean pausedForMemory;
    private boolean holding;
    private boolean waitingForFrameMemory;

    FlowControl(Channel channel) {
        this.channel = channel;
    }

    /** The connection sent a PUBLISH: from now on it is paused when it must be. */
    void published() {
        if (!publisher) {
            publisher = true;
            update();
        }
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
     * does not read, frames held for an answer), when the frame timeout does not run either. False while
     * the connection waits for frame memory or is paused by the memory alarm: its frame timeout runs on
     * (PROTOCOL.md 1.2, 7.8 point 5), so that an incomplete frame held by a paused publisher cannot keep
     * the alarm raised for ever.
     */
    boolean frameClockStopped() {
        return holding || (publisher && pausedForWritability);
    }

    /** The connection has sent a PUBLISH: the memory alarm pauses it and counts its incomplete frame. */
    boolean publisher() {
        return publisher;
    }

    private void update() {
        boolean read = !holding && !waitingForFrameMemory && !(publisher && (pausedForWritability || pausedForMemory));
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
