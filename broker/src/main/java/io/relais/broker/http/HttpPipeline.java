package io.relais.broker.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.channel.ChannelDuplexHandler;
import io.relais.broker.net.TlsContexts;
import io.relais.protocol.ErrorCode;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of every HTTP connection, in one place: {@code tls} (HTTPS only), {@code idle} (closes a
 * connection idle for {@value #IDLE_SECONDS} s), {@code codec} (request lines and headers bounded by Netty's
 * defaults, 4 KiB and 8 KiB), {@code aggregator} (the whole body, at most {@code http.max-body}: a larger one
 * is answered 413 FRAME_TOO_LARGE in JSON and the connection closed), then the connection's own
 * {@link HttpConnection}. Stateless apart from its settings; shared by the listener.
 */
final class HttpPipeline extends ChannelInitializer<SocketChannel> {
    static final int IDLE_SECONDS = 120;

    private final HttpApi api;
    private final int maxBody;
    private final TlsContexts tls;

    /**
     * @param tls the broker's TLS contexts for HTTPS, or null for plain HTTP
     */
    HttpPipeline(HttpApi api, int maxBody, TlsContexts tls) {
        this.api = api;
        this.maxBody = maxBody;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast("tls", tls.newHandler(ch.alloc()));
        }
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("idle-close", new IdleClose());
        p.addLast("codec", new HttpServerCodec());
        p.addLast("aggregator", new BoundedAggregator(maxBody));
        p.addLast("handler", new HttpConnection(api));
    }

    /** Closes a connection that was idle too long. */
    private static final class IdleClose extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }

    /** The aggregator, answering an oversized body with the API's JSON 413. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int max;

        BoundedAggregator(int max) {
            super(max);
            this.max = max;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            byte[] body = Json.write(ApiErrors.body(ErrorCode.FRAME_TOO_LARGE, "the request body is larger than "
                    + "http.max-body (" + max + " bytes)"));
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, ApiResponse.JSON);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
