package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.relais.broker.core.RateLimitedLog;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.ErrorFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection's pipeline, built and edited only here. At accept, first the connection limits in all
 * and per source address ({@link ConnectionLimiter}): a socket over one gets no session, only ERROR 2014
 * CONNECTION_LIMIT (on the TLS port, where it could not be read before a TLS handshake, nothing) and a
 * close, with a rate-limited log line. On the TLS port, {@code tls}: the {@link TlsSniffer}, which
 * becomes the {@code SslHandler} once the first bytes show a TLS handshake. Then {@code meter} (the shared
 * {@link FrameMeter}, which lets the session see after every read what the decoder holds of an
 * incomplete frame), {@code decoder} (frames, with the handshake size limit), {@code encoder}
 * (shared) and {@code handler} (the shared {@link ConnectionHandler}, which passes every event to
 * the connection's {@link Session}). Once
 * the handshake is done, {@link #opened} raises the decoder's limit to {@code max_frame_size} and,
 * when heartbeats were agreed, puts {@code idle} right after the decoder: it sees whole frames, not
 * bytes, so a client that trickles the bytes of a frame it never completes is timed out like a
 * silent one (PROTOCOL.md 3.4), while it still sees every byte the broker writes.
 *
 * <p>One instance serves every connection of one listener (plaintext, or TLS); {@link #initChannel} runs
 * on the new channel's event loop and {@link #opened} must run on the channel's event loop.
 */
public final class ServerPipeline extends ChannelInitializer<Channel> {
    /** Pipeline names. */
    public static final String TLS = "tls";
    public static final String IDLE = "idle";
    public static final String METER = "meter";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String HANDLER = "handler";

    private static final Logger LOG = LoggerFactory.getLogger(ServerPipeline.class);
    private static final RateLimitedLog REFUSALS = RateLimitedLog.every(LOG);
    private final BrokerContext context;
    private final ConnectionHandler handler;
    private final TlsContexts tls;

    /** The plaintext listener's pipelines. */
    public ServerPipeline(BrokerContext context) {
        this(context, null);
    }

    /** The pipelines of a listener: TLS with {@code tls}'s current context, or plaintext when it is null. */
    public ServerPipeline(BrokerContext context, TlsContexts tls) {
        this.context = context;
        this.handler = new ConnectionHandler(context);
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
            ch.close(); // gone before it could be counted
            return;
        }
        InetAddress address = remote.getAddress();
        String refusal = context.limiter().admit(address);
        if (refusal != null) {
            REFUSALS.warn("refused a connection from {}: {}", ch.remoteAddress(), refusal);
            if (tls == null) {
                ch.pipeline().addLast(ENCODER, FrameEncoder.INSTANCE).addLast(new Refusal(refusal));
            } else {
                ch.close();
            }
            return;
        }
        ch.closeFuture().addListener(f -> context.limiter().release(address));
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(context.config().writeBufferLow(),
                context.config().writeBufferHigh()));
        // The decoder reads no further while reading is off (flow control, a frame waiting for memory).
        FrameDecoder decoder = new FrameDecoder(true);
        decoder.honourAutoRead();
        if (tls != null) {
            ch.pipeline().addLast(TLS, new TlsSniffer(tls));
        }
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

    /** A refused connection's only handler: ERROR(0, 2014) once active, then the close. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new ErrorFrame(0, ErrorCode.CONNECTION_LIMIT.code(), message))
                    .addListener(ChannelFutureListener.CLOSE);
            ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
