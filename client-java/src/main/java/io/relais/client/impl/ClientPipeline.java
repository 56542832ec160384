package io.relais.client.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import java.util.concurrent.TimeUnit;

/**
 * Builds the client's channel and its pipeline, in one place. The channel: TCP_NODELAY, the connect timeout,
 * and write-buffer water marks at half and all of {@code maxBufferedBytes}. The pipeline:
 *
 * <pre>
 *   [tls]    SslHandler, when the client connects over TLS (its frames are written once the TLS handshake is done)
 *   [idle]   IdleStateHandler: reader idle = 2 x heartbeat -> dead
 *   [writeIdle] WriteIdleTimer: writer idle = heartbeat -> HEARTBEAT (no allocation per write)
 *            (both added once READY negotiated a non-zero heartbeat)
 *   decoder  FrameDecoder(client side): bytes -> Frame / DecodeFailure
 *   flush    FlushConsolidationHandler: one socket flush per read batch or event-loop task batch
 *   encoder  FrameEncoder: Frame -> bytes
 *   handler  ClientHandler: handshake, answers, confirms, deliveries
 * </pre>
 *
 * <p>Called on the channel's event loop only.
 */
final class ClientPipeline {
    static final String TLS = "tls";
    static final String IDLE = "idle";
    static final String WRITE_IDLE = "writeIdle";
    static final String DECODER = "decoder";
    static final String FLUSH = "flush";
    static final String ENCODER = "encoder";
    static final String HANDLER = "handler";

    /** How much larger than the negotiated maximum a server frame may be (PROTOCOL.md). */
    static final int SERVER_FRAME_ALLOWANCE = 1024;

    /** Explicit flushes that may be deferred before one is forced through. */
    static final int FLUSHES_BEFORE_FORCED_FLUSH = 256;

    private ClientPipeline() {
    }

    /** A bootstrap for one connection of {@code config} on {@code group}, with {@code handler} at the end. */
    static Bootstrap bootstrap(EventLoopGroup group, ClientConfig config, ClientHandler handler) {
        return new Bootstrap()
                .group(group)
                .channel(SharedEventLoops.channelClass(group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(config.maxBufferedBytes() / 2,
                        config.maxBufferedBytes()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init(ch, config, handler);
                    }
                });
    }

    static void init(Channel channel, ClientConfig config, ClientHandler handler) {
        if (config.tls() != null) {
            channel.pipeline().addLast(TLS, config.tls().newHandler(channel.alloc(), config.host(), config.port()));
        }
        channel.pipeline()
                .addLast(DECODER, new FrameDecoder(false))
                .addLast(FLUSH, new FlushConsolidationHandler(FLUSHES_BEFORE_FORCED_FLUSH, true))
                .addLast(ENCODER, FrameEncoder.INSTANCE)
                .addLast(HANDLER, handler);
    }

    /** After READY: lift the frame size limit to the server's and start heartbeats if negotiated. */
    static void opened(ChannelPipeline pipeline, int maxFrameSize, long heartbeatMillis) {
        // A DELIVER or RETURN carries a message that fitted in a PUBLISH plus some header bytes:
        // the server never sends more than max_frame_size + 1024 (PROTOCOL.md, framing limits).
        pipeline.get(FrameDecoder.class).maxFrameSize((int) Math.min(Integer.MAX_VALUE,
                (long) maxFrameSize + SERVER_FRAME_ALLOWANCE));
        if (heartbeatMillis > 0) {
            // Above the decoder, below TLS: they see frames, not TLS records.
            pipeline.addBefore(DECODER, IDLE, new IdleStateHandler(2 * heartbeatMillis, 0, 0, TimeUnit.MILLISECONDS));
            pipeline.addAfter(IDLE, WRITE_IDLE, new WriteIdleTimer(heartbeatMillis));
        }
    }
}
