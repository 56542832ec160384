package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.concurrent.FastThreadLocal;
import io.relais.protocol.Properties;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.PayloadFrame;
import io.relais.protocol.frame.SharedDeliver;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@link Frame}s as length-prefixed MessagePack.
 *
 * <p>Payloads up to {@link #COPY_THRESHOLD} bytes are copied into the header buffer, so a small
 * message is one buffer and one entry in the outbound buffer; larger payloads are passed on as the
 * original buffer, retained, with no copy.
 *
 * <p>A {@link SharedDeliver} brings its shared part already encoded: only its head (length prefix,
 * sid, tag, flags) is written here, followed by a copy of the tail when the tail is at most
 * {@link #TAIL_COPY_THRESHOLD} bytes (one buffer, as for a small {@link Deliver}) or by the tail
 * itself, shared, and then the payload if it is not in the tail. The bytes are those of the
 * equivalent {@link Deliver}.
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
    /** Shared DELIVER tails at most this long are copied next to the head instead of being written separately. */
    public static final int TAIL_COPY_THRESHOLD = 1024;
    /** The longest DELIVER head: prefix, array header, type id and three uint64 fields. */
    private static final int MAX_DELIVER_HEAD = 4 + 1 + 1 + 3 * 9;

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
        if (frame instanceof SharedDeliver shared) {
            encodeShared(ctx.alloc(), shared, out);
            return;
        }
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

    private static void encodeShared(ByteBufAllocator alloc, SharedDeliver frame, List<Object> out) {
        ByteBuf tail = frame.tail();
        int tailBytes = tail.readableBytes();
        ByteBuf payload = frame.payload();
        boolean payloadApart = !payloadInTail(payload.readableBytes());
        boolean copyTail = tailBytes <= TAIL_COPY_THRESHOLD;
        ByteBuf head = alloc.ioBuffer(MAX_DELIVER_HEAD + (copyTail ? tailBytes : 0));
        try {
            writeHeader(frame, head, tailBytes + (payloadApart ? payload.readableBytes() : 0));
            if (copyTail) {
                head.writeBytes(tail, tail.readerIndex(), tailBytes);
            }
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
        out.add(head);
        if (!copyTail) {
            out.add(tail.retainedDuplicate());
        }
        if (payloadApart) {
            out.add(payload.retainedSlice());
        }
    }

    /**
     * Appends one whole DELIVER to {@code target}: its head (length prefix, sid, tag, flags) and a copy
     * of {@code tail}, which must carry the payload bytes ({@link #payloadInTail}); the same bytes as
     * {@link Deliver}. For writers that put many small deliveries into one buffer; on any thread.
     */
    public static void encodeDeliverInto(long sid, long deliveryTag, int flags, ByteBuf tail, ByteBuf target) {
        int start = target.writerIndex();
        target.writeInt(0);
        FrameWriter writer = WRITERS.get();
        writer.begin(target);
        try {
            Deliver.encodeHead(writer, sid, deliveryTag, flags);
        } finally {
            writer.end();
        }
        int tailBytes = tail.readableBytes();
        target.setInt(start, target.writerIndex() - start - ProtocolVersion.LENGTH_PREFIX_BYTES + tailBytes);
        target.writeBytes(tail, tail.readerIndex(), tailBytes);
    }

    /** True if a shared DELIVER tail carries the payload bytes of a payload this long (see {@link #encodeDeliverTail}). */
    public static boolean payloadInTail(int payloadBytes) {
        return payloadBytes <= COPY_THRESHOLD;
    }

    /**
     * Encodes the part of a DELIVER that every delivery of one message shares, for
     * {@link SharedDeliver}: exchange, routing key, properties, the payload's binary header and, if
     * {@link #payloadInTail} says so, the payload bytes. Once per message, on any thread; the caller
     * owns the new buffer.
     */
    public static ByteBuf encodeDeliverTail(String exchange, String routingKey, Properties properties, ByteBuf payload,
                                            ByteBufAllocator alloc) {
        int payloadBytes = payload.readableBytes();
        boolean inTail = payloadInTail(payloadBytes);
        ByteBuf tail = alloc.ioBuffer(64 + exchange.length() + routingKey.length() + (inTail ? payloadBytes : 0));
        FrameWriter writer = WRITERS.get();
        try {
            writer.begin(tail);
            try {
                Deliver.encodeTail(writer, exchange, routingKey, properties, payloadBytes);
            } finally {
                writer.end();
            }
            if (inTail) {
                tail.writeBytes(payload, payload.readerIndex(), payloadBytes);
            }
            return tail;
        } catch (RuntimeException e) {
            tail.release();
            throw e;
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
        if (frame instanceof SharedDeliver shared) {
            List<Object> parts = new ArrayList<>(3);
            encodeShared(alloc, shared, parts);
            ByteBuf buf = alloc.buffer(128 + shared.tail().readableBytes() + shared.payload().readableBytes());
            for (Object part : parts) {
                ByteBuf b = (ByteBuf) part;
                buf.writeBytes(b, b.readerIndex(), b.readableBytes());
                b.release();
            }
            return buf;
        }
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
