package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.relais.broker.metrics.LoopCounter;

/**
 * The first handler of every pipeline, in front of the decoder: passes each socket read on, and
 * once the decoder has taken it tells the connection's {@link Session}, whose
 * {@link ConnectionDeadlines} then counts what the decoder holds of an incomplete frame and may stop
 * reading before the next read of the same batch (PROTOCOL.md 7.8 point 5). It also counts the bytes
 * read and written (after TLS decryption, before encryption) in the loop's metrics counters. Adds no copy
 * and no allocation.
 *
 * <p>Holds no state, so one instance serves all connections; each call runs on the event loop of
 * the channel it is about.
 */
@ChannelHandler.Sharable
final class FrameMeter extends ChannelDuplexHandler {
    static final FrameMeter INSTANCE = new FrameMeter();

    private FrameMeter() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int bytes = msg instanceof ByteBuf b ? b.readableBytes() : 0;
        ctx.fireChannelRead(msg);
        Session session = ConnectionHandler.session(ctx.channel());
        if (session != null) {
            session.counters().add(LoopCounter.BYTES_RECEIVED, bytes);
            session.afterRead();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            Session session = ConnectionHandler.session(ctx.channel());
            if (session != null) {
                session.counters().add(LoopCounter.BYTES_SENT, b.readableBytes());
            }
        }
        ctx.write(msg, promise);
    }
}
