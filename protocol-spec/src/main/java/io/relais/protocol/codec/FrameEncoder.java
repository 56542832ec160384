package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.concurrent.FastThreadLocal;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.PayloadFrame;
import java.util.List;

/**
 * Writes {@link Frame}s as length-prefixed MessagePack.
 *
 * <p>Payloads up to {@link #COPY_THRESHOLD} bytes are copied into the header buffer, so a small
 * message is one buffer and one entry in the outbound buffer; larger payloads are passed on as the
 * original buffer, retained, with no copy.
 *
 * <p>Stateless and {@link ChannelHandler.Sharable}: use {@link #INSTANCE}. Each thread uses its own
 * {@link FrameWriter}.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    /** The shared instance. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();
    /** Payloads at most this long are copied next to the header instead of being written separately. */
    public static final int COPY_THRESHOLD = 512;

    private static final FastThreadLocal<FrameWriter> WRITERS = new FastThreadLocal<>() {
        @Override
        protected FrameWriter initialValue() {
            return new FrameWriter();
        }
    };

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf payload = frame instanceof PayloadFrame p ? p.payload() : null;
        int payloadBytes = payload == null ? 0 : payload.readableBytes();
        boolean copy = payloadBytes <= COPY_THRESHOLD;
        ByteBuf header = ctx.alloc().ioBuffer(64 + (copy ? payloadBytes : 0) + 64);
        try {
            writeHeader(frame, header, payloadBytes);
            if (payload != null && copy) {
                header.writeBytes(payload, payload.readerIndex(), payloadBytes);
            }
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        out.add(header);
        if (payload != null && !copy) {
            out.add(payload.retainedSlice());
        }
    }

    /**
     * Writes a frame's length prefix and body except the payload bytes, the length counting the
     * payload; appending the payload's readable bytes afterwards completes the frame. For callers
     * that copy the payload somewhere themselves (the broker's disk store).
     */
    public static void encodeHeader(Frame frame, ByteBuf target) {
        ByteBuf payload = frame instanceof PayloadFrame p ? p.payload() : null;
        writeHeader(frame, target, payload == null ? 0 : payload.readableBytes());
    }

    /** Writes length prefix and body (all but the payload bytes), with the length counting the payload. */
    private static void writeHeader(Frame frame, ByteBuf target, int payloadBytes) {
        int start = target.writerIndex();
        target.writeInt(0);
        FrameWriter writer = WRITERS.get();
        writer.begin(target);
        try {
            frame.encode(writer);
        } finally {
            writer.end();
        }
        int length = target.writerIndex() - start - ProtocolVersion.LENGTH_PREFIX_BYTES + payloadBytes;
        target.setInt(start, length);
    }

    /**
     * Encodes one whole frame, payload included, into a new buffer. For tests, vectors and tools;
     * the pipeline uses {@link #encode(ChannelHandlerContext, Frame, List)}.
     */
    public static ByteBuf encodeToBuffer(Frame frame, ByteBufAllocator alloc) {
        ByteBuf payload = frame instanceof PayloadFrame p ? p.payload() : null;
        int payloadBytes = payload == null ? 0 : payload.readableBytes();
        ByteBuf buf = alloc.buffer(128 + payloadBytes);
        try {
            writeHeader(frame, buf, payloadBytes);
            if (payload != null) {
                buf.writeBytes(payload, payload.readerIndex(), payloadBytes);
            }
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }
}
