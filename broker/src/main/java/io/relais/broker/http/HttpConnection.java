package io.relais.broker.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.ErrorCode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection: turns each aggregated request into an {@link ApiRequest}, has the {@link HttpApi} answer
 * it, and writes the answers in the order the requests came (HTTP/1.1 pipelining): one request is handled at
 * a time, and while it is, reading stops and requests already decoded wait in a list (at most what one read
 * held), and while the client does not read the answers (the outgoing buffer is above its high watermark)
 * nothing more is read or answered. Keep-alive as the request asks; a request the codec could not decode is answered 400 and the
 * connection closed.
 *
 * <p>Owned by the channel's event loop; answers that complete elsewhere are written there.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);

    private final HttpApi api;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    /** The last answer filled the outgoing buffer: the next request waits until the client has read it. */
    private boolean waitingForWritable;

    HttpConnection(HttpApi api) {
        this.api = api;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy || closed || waitingForWritable) {
            waiting.addLast(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        boolean keepAlive;
        ApiRequest api0;
        HttpMethod method;
        try {
            keepAlive = HttpUtil.isKeepAlive(request);
            method = request.method();
            DecoderResult result = request.decoderResult();
            if (!result.isSuccess()) {
                write(ctx, ApiErrors.answer(new ApiException(HttpResponseStatus.BAD_REQUEST, ErrorCode.MALFORMED_FRAME,
                        "the request could not be decoded: " + result.cause()), "undecodable request"), false,
                        false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            List<String> segments = segments(uri.rawPath());
            if (segments == null) {
                write(ctx, ApiErrors.answer(ApiException.badRequest("the path is not validly percent-encoded: "
                        + uri.rawPath()), request.uri()), keepAlive, false);
                return;
            }
            Map<String, List<String>> query = uri.parameters();
            byte[] body = ByteBufUtil.getBytes(request.content());
            api0 = new ApiRequest(method, uri.rawPath(), segments, query, request.headers().copy(), body,
                    ctx.channel().remoteAddress());
        } finally {
            request.release();
        }
        boolean head = method.equals(HttpMethod.HEAD);
        api.handle(api0, ctx.executor()).whenCompleteAsync((response, failure) -> {
            ApiResponse answer = failure == null ? response : ApiErrors.answer(failure, api0.toString());
            write(ctx, answer, keepAlive, head);
        }, ctx.executor());
    }

    /** The path's segments, percent-decoded; null if a segment is not validly encoded. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (s.isEmpty()) {
                continue;
            }
            try {
                out.add(QueryStringDecoder.decodeComponent(s.replace("+", "%2B")));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return out;
    }

    private void write(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive, boolean head) {
        if (closed) {
            next(ctx);
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        if (answer.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        response.headers().set("X-Content-Type-Options", "nosniff");
        answer.headers().forEach((k, v) -> response.headers().set(k, v));
        if (!response.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
            next(ctx);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closed = true;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            next(ctx);
        }
    }

    /**
     * The answer is written: the next request that waited runs, or reading resumes; while the outgoing buffer
     * is above its high watermark (a client that sends requests and does not read the answers), neither.
     */
    private void next(ChannelHandlerContext ctx) {
        busy = false;
        if (closed) {
            releaseWaiting();
            return;
        }
        if (!ctx.channel().isWritable()) {
            waitingForWritable = true;
            ctx.channel().config().setAutoRead(false);
            return;
        }
        FullHttpRequest request = waiting.pollFirst();
        if (request != null) {
            handle(ctx, request);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void releaseWaiting() {
        FullHttpRequest r;
        while ((r = waiting.pollFirst()) != null) {
            r.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (waitingForWritable && ctx.channel().isWritable() && !busy) {
            waitingForWritable = false;
            next(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("HTTP connection from {} closed after an internal error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
