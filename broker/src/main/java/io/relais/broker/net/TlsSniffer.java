package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.NotSslRecordException;
import java.util.List;

/**
 * The first handler on the TLS port: looks at the first bytes a client sends and, if they begin a TLS
 * handshake record (content type 22, version 3.x), puts the TLS handler in its place with the current
 * context of {@link TlsContexts} (so a reload applies to every handshake that starts afterwards). Anything
 * else (a plaintext Relais client, an HTTP request) is not answered: the socket is closed cleanly, without
 * a TLS alert or a frame the client could not read, and the session logs one line, "not a TLS handshake",
 * with the client's address.
 *
 * <p>One instance per connection, on its event loop.
 */
final class TlsSniffer extends ByteToMessageDecoder {
    /** TLS record content type of a handshake message. */
    private static final int HANDSHAKE = 22;
    private static final int MAJOR_VERSION = 3;
    private final TlsContexts contexts;

    TlsSniffer(TlsContexts contexts) {
        this.contexts = contexts;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 1) {
            return;
        }
        boolean tls = in.getUnsignedByte(start) == HANDSHAKE
                && (readable < 2 || in.getUnsignedByte(start + 1) == MAJOR_VERSION);
        if (!tls) {
            in.skipBytes(readable);
            ctx.fireExceptionCaught(new NotSslRecordException("not a TLS handshake"));
            ctx.close();
            return;
        }
        if (readable < 2) {
            return;
        }
        ctx.pipeline().replace(this, ServerPipeline.TLS, contexts.newHandler(ctx.alloc()));
    }
}
