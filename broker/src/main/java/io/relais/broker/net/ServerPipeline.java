package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import java.util.concurrent.TimeUnit;

/**
 * Every connection's pipeline, built and edited only here. At accept: {@code meter} (the shared
 * {@link FrameMeter}, which lets the session see after every read what the decoder holds of an
 * incomplete frame), {@code decoder} (frames, with the handshake size limit), {@code encoder}
 * (shared) and {@code handler} (the shared {@link ConnectionHandler}, which passes every event to
 * the connection's {@link Session}). Once
 * the handshake is done, {@link #opened} raises the decoder's limit to {@code max_frame_size} and,
 * when heartbeats were agreed, puts {@code idle} right after the decoder: it sees whole frames, not
 * bytes, so a client that trickles the bytes of a frame it never completes is timed out like a
 * silent one (PROTOCOL.md 3.4), while it still sees every byte the broker writes.
 *
 * <p>One instance serves every connection; {@link #initChannel} runs on the new channel's event
 * loop and {@link #opened} must run on the channel's event loop.
 */
public final class ServerPipeline extends ChannelInitializer<Channel> {
    /** Pipeline names. */
    public static final String IDLE = "idle";
    public static final String METER = "meter";
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
        // The decoder reads no further while reading is off (flow control, a frame waiting for memory).
        FrameDecoder decoder = new FrameDecoder(true);
        decoder.honourAutoRead();
        ch.pipeline()
                .addLast(METER, FrameMeter.INSTANCE)
                .addLast(DECODER, decoder)
                .addLast(ENCODER, FrameEncoder.INSTANCE)
                .addLast(HANDLER, handler);
    }

    /**
     * The edits once READY is being sent (PROTOCOL.md 3.3 step 6, 3.4): frames up to
     * {@code maxFrameSize} are accepted from now on, and with {@code heartbeatMillis} > 0 the idle
     * handler reports a write-idle interval (send HEARTBEAT) and two read-idle ones (the peer is dead).
     */
    static void opened(Channel channel, int maxFrameSize, long heartbeatMillis) {
        ChannelPipeline pipeline = channel.pipeline();
        ((FrameDecoder) pipeline.get(DECODER)).maxFrameSize(maxFrameSize);
        if (heartbeatMillis > 0) {
            pipeline.addAfter(DECODER, IDLE, new IdleStateHandler(2 * heartbeatMillis, heartbeatMillis, 0,
                    TimeUnit.MILLISECONDS));
        }
    }
}
