package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;

/**
 * The last handler of every connection's pipeline: creates the connection's {@link Session} and
 * passes it every event, deciding nothing itself. Holds no state of its own, so one instance serves
 * all connections; each call runs on the event loop of the channel it is about.
 */
@ChannelHandler.Sharable
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Session> SESSION = AttributeKey.valueOf("relais.session");
    private final BrokerContext context;

    public ConnectionHandler(BrokerContext context) {
        this.context = context;
    }

    /** The session of {@code channel}, or null before it is active. */
    static Session session(Channel channel) {
        return channel.attr(SESSION).get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Session session = new Session(ctx.channel(), context);
        ctx.channel().attr(SESSION).set(session);
        session.opened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.channel().attr(SESSION).get().onFrame(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.channel().attr(SESSION).get().readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().attr(SESSION).get().writabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            ctx.channel().attr(SESSION).get().idle(idle);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session session = ctx.channel().attr(SESSION).get();
        if (session != null) {
            session.exception(cause);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Session session = ctx.channel().attr(SESSION).get();
        if (session != null) {
            session.closed();
        }
        ctx.fireChannelInactive();
    }
}
