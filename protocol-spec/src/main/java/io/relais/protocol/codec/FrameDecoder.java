package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Frame;
import java.util.List;

/**
 * Splits the byte stream into frames and decodes each into its {@link Frame} record.
 *
 * <p>Never throws down the pipeline: any invalid input (a length over the limit, bad MessagePack,
 * wrong field types, an unknown type id, bytes left over inside a frame, a frame type the
 * other side may not send) becomes one {@link DecodeFailure}, after which all further input is
 * discarded. The maximum body size starts at {@link ProtocolVersion#HANDSHAKE_MAX_FRAME_SIZE} and
 * is raised with {@link #maxFrameSize(int)} once the handshake is done.
 *
 * <p>An incomplete frame waits in the cumulation buffer of {@link ByteToMessageDecoder}, which grows
 * with the bytes actually received, never to the declared length up front. A frame that declares at
 * most {@value #COMPOSITE_THRESHOLD} bytes is gathered by copying (Netty's merge cumulator: doubling
 * up to 4 MiB, then 4 MiB at a time), which is cheapest for small frames. A larger one is gathered
 * without copying: the reads that bring it are kept as the components of a composite buffer (Netty's
 * composite cumulator), so that its payload is a slice of the very buffers the socket was read into,
 * and the only copy on its way to a store is the store's own write (a frame that trickles in, more than
 * 64 reads averaging under 4 KiB, is gathered by copying from then on, so that tiny reads cannot each pin
 * a buffer). A consumer of such a payload
 * must therefore not assume one contiguous buffer: it reads it through {@link ByteBuf#nioBuffers}
 * (views, no copy), never {@link ByteBuf#nioBuffer}, which copies a multi-component buffer.
 * {@link #partialBytes()} and
 * {@link #partialLength()} tell the owner how much an incomplete frame holds and how large it says
 * it is, so that a server can bound both its memory and how long it waits for the rest.
 *
 * <p>One instance per channel, used only by that channel's event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Frames declaring a body larger than this many bytes are gathered without copying. */
    public static final int COMPOSITE_THRESHOLD = 16 * 1024;
    /**
     * A large frame held in more reads than this, averaging fewer than {@link #MIN_AVERAGE_COMPONENT}
     * bytes each, is gathered by copying from then on.
     */
    private static final int MAX_COMPONENTS = 64;
    private static final int MIN_AVERAGE_COMPONENT = 4096;
    private final boolean serverSide;
    private final FrameReader reader = new FrameReader();
    private int maxFrameSize;
    private boolean failed;
    private boolean honourAutoRead;
    /** The frame held now trickled in: the rest of it is gathered by copying. */
    private boolean copyRest;

    /**
     * @param serverSide true in the broker (accepts frames clients send), false in the client
     * @param maxFrameSize the largest body accepted until {@link #maxFrameSize(int)} is called
     */
    public FrameDecoder(boolean serverSide, int maxFrameSize) {
        this.serverSide = serverSide;
        this.maxFrameSize = maxFrameSize;
    }

    /** A decoder with the handshake limit. */
    public FrameDecoder(boolean serverSide) {
        this(serverSide, ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE);
    }

    /**
     * From now on, a read that completes no frame while the channel's autoRead is off does not ask
     * for another read. {@link ByteToMessageDecoder} asks for one by default, so that a frame can
     * complete while its owner has stopped reading; an owner that stops reading precisely because a
     * frame must wait (for memory, say) would otherwise go on buffering it.
     */
    public void honourAutoRead() {
        this.honourAutoRead = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (honourAutoRead && !ctx.channel().config().isAutoRead()) {
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /** Changes the largest body accepted from now on. */
    public void maxFrameSize(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Bytes of an incomplete frame held now (its length prefix included), 0 between frames or after
     * a failure. Read it from the channel's event loop, for example at the end of a read batch.
     */
    public int partialBytes() {
        if (failed) {
            return 0;
        }
        ByteBuf held = internalBuffer();
        return held.readableBytes();
    }

    /**
     * The declared body length of the incomplete frame held now, or -1 when there is none or fewer
     * than the 4 bytes of its length prefix have arrived. Same thread rule as {@link #partialBytes()}.
     */
    public long partialLength() {
        ByteBuf held = internalBuffer();
        if (failed || held.readableBytes() < ProtocolVersion.LENGTH_PREFIX_BYTES) {
            return -1;
        }
        return held.getUnsignedInt(held.readerIndex());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= ProtocolVersion.LENGTH_PREFIX_BYTES) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length == 0 || length > maxFrameSize) {
                // ErrorCode.FRAME_TOO_LARGE: "the length prefix exceeds the maximum frame size, or is zero".
                fail(in, out, new DecodeFailure(ErrorCode.FRAME_TOO_LARGE,
                        length == 0 ? "frame length is 0" : "frame length " + length + " exceeds the maximum of " + maxFrameSize));
                return;
            }
            if (in.readableBytes() < ProtocolVersion.LENGTH_PREFIX_BYTES + length) {
                // The next reads add to this frame: gather a large one without copying, a small one
                // by copying. (While fewer than 4 bytes of a frame are held, the choice stays as it was.)
                if (in instanceof CompositeByteBuf c && c.numComponents() > MAX_COMPONENTS
                        && c.readableBytes() / c.numComponents() < MIN_AVERAGE_COMPONENT) {
                    // Trickled in small reads: each would pin a read buffer and an entry of its own, so the
                    // rest of this frame is gathered by copying (what is held is copied once).
                    copyRest = true;
                }
                setCumulator(length > COMPOSITE_THRESHOLD && !copyRest ? COMPOSITE_CUMULATOR : MERGE_CUMULATOR);
                return;
            }
            copyRest = false;
            in.skipBytes(ProtocolVersion.LENGTH_PREFIX_BYTES);
            ByteBuf body = in.slice(in.readerIndex(), (int) length);
            in.skipBytes((int) length);
            try {
                out.add(decodeBody(body));
            } catch (ProtocolException e) {
                releaseQuietly(reader.takePayload());
                fail(in, out, new DecodeFailure(e.code(), e.getMessage()));
                return;
            } catch (Exception e) {
                // msgpack-core reports bad input with its own runtime and IO exceptions.
                releaseQuietly(reader.takePayload());
                fail(in, out, new DecodeFailure(ErrorCode.MALFORMED_FRAME, describe(e)));
                return;
            } finally {
                reader.end();
            }
        }
    }

    /**
     * Decodes exactly one whole frame (length prefix included) outside a pipeline, for frames a
     * broker stored on disk. {@code frame} is not released; the returned frame's payload, if any, is
     * a retained slice of it that the caller owns. Same thread rule as the pipeline use.
     *
     * @throws ProtocolException if the buffer does not hold exactly one well-formed frame
     */
    public Frame decodeStored(ByteBuf frame) {
        int readable = frame.readableBytes();
        if (readable < ProtocolVersion.LENGTH_PREFIX_BYTES
                || frame.getUnsignedInt(frame.readerIndex()) != readable - ProtocolVersion.LENGTH_PREFIX_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "stored frame of " + readable
                    + " bytes has a length prefix that does not match");
        }
        ByteBuf body = frame.slice(frame.readerIndex() + ProtocolVersion.LENGTH_PREFIX_BYTES,
                readable - ProtocolVersion.LENGTH_PREFIX_BYTES);
        try {
            return decodeBody(body);
        } catch (ProtocolException e) {
            releaseQuietly(reader.takePayload());
            throw e;
        } catch (Exception e) {
            releaseQuietly(reader.takePayload());
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, describe(e));
        } finally {
            reader.end();
        }
    }

    private Frame decodeBody(ByteBuf body) throws Exception {
        reader.begin(body);
        long typeId = reader.readUInt("type_id");
        FrameType type = FrameType.byId(typeId);
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type id " + typeId);
        }
        if (serverSide ? !type.sentByClient() : !type.sentByServer()) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME,
                    type + " may not be sent by a " + (serverSide ? "client" : "server"));
        }
        Frame frame = type.decode(reader);
        if (reader.consumed() != body.readableBytes()) {
            reader.takePayload();
            ReferenceCountUtil.release(frame);
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, (body.readableBytes() - reader.consumed())
                    + " bytes follow the MessagePack value of a " + type + " frame");
        }
        reader.takePayload();
        return frame;
    }

    private void fail(ByteBuf in, List<Object> out, DecodeFailure failure) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    private static void releaseQuietly(ByteBuf buf) {
        if (buf != null && buf.refCnt() > 0) {
            buf.release();
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
