package io.relais.client.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The writer half of heartbeats (PROTOCOL.md 3.4): fires {@link IdleStateEvent#WRITER_IDLE_STATE_EVENT} up the
 * pipeline when no frame has been written for the interval, and the {@link ClientHandler} answers it with a
 * HEARTBEAT. Netty's {@code IdleStateHandler} does the same but needs a listener on every write, so it turns the
 * void promise of each write into a real one and adds a listener to it (two objects per frame); this notes the time
 * of each write instead. Reader idleness stays with {@code IdleStateHandler}, which costs nothing per frame.
 *
 * <p>Event loop only: one instance per channel, not sharable.
 */
final class WriteIdleTimer extends ChannelOutboundHandlerAdapter {
    private final long intervalNanos;
    private long lastWriteNanos;
    private ScheduledFuture<?> timer;

    WriteIdleTimer(long intervalMillis) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastWriteNanos = System.nanoTime();
        schedule(ctx, intervalNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        handlerRemoved(ctx);
        super.close(ctx, promise);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWriteNanos = System.nanoTime();
        ctx.write(msg, promise);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (timer == null || !ctx.channel().isOpen()) {
            return;
        }
        long idle = System.nanoTime() - lastWriteNanos;
        if (idle >= intervalNanos) {
            schedule(ctx, intervalNanos);
            ctx.fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        } else {
            schedule(ctx, intervalNanos - idle);
        }
    }
}
