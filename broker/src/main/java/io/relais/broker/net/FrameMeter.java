package io.relais.broker.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The first handler of every pipeline, in front of the decoder: passes each socket read on, and
 * once the decoder has taken it tells the connection's {@link Session}, whose
 * {@link ConnectionDeadlines} then counts what the decoder holds of an incomplete frame and may stop
 * reading before the next read of the same batch (PROTOCOL.md 7.8 point 5). Adds no copy and no
 * allocation.
 *
 * <p>Holds no state, so one instance serves all connections; each call runs on the event loop of
 * the channel it is about.
 */
@ChannelHandler.Sharable
final class FrameMeter extends ChannelInboundHandlerAdapter {
    static final FrameMeter INSTANCE = new FrameMeter();

    private FrameMeter() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        Session session = ConnectionHandler.session(ctx.channel());
        if (session != null) {
            session.afterRead();
        }
    }
}
