package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;

/**
 * Builds every connection's pipeline, in one place: {@code decoder} (frames, with the handshake
 * size limit until READY), {@code encoder} (shared), {@code handler} (the session). The session
 * adds {@code idle} (heartbeats) in front once the heartbeat interval is agreed.
 */
public final class ServerPipeline extends ChannelInitializer<Channel> {
    /** Pipeline names. */
    public static final String IDLE = "idle";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String HANDLER = "handler";

    private final BrokerContext context;
    private final ConnectionHandler handler;

    public ServerPipeline(BrokerContext context) {
        this.context = context;
        this.handler = new ConnectionHandler(context);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(context.config().writeBufferLow(),
                context.config().writeBufferHigh()));
        ch.pipeline()
                .addLast(DECODER, new FrameDecoder(true))
                .addLast(ENCODER, FrameEncoder.INSTANCE)
                .addLast(HANDLER, handler);
    }
}
