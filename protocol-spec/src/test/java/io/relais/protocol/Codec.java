package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.PayloadFrame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Helpers for codec tests: run bytes through a decoder and frames through the encoder. */
public final class Codec {
    private Codec() {
    }

    /** True if a decoder for the side that receives frames of this type is server-side. */
    public static boolean receiverIsServer(FrameType type) {
        return type.sentByClient();
    }

    /** Every message the channel has produced inbound so far. */
    public static List<Object> drainInbound(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /**
     * Feeds the chunks to a fresh decoder, finishes the channel (asserting nothing is left) and
     * returns what it decoded; the caller releases the frames.
     */
    public static List<Object> decode(boolean serverSide, int maxFrameSize, byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(serverSide, maxFrameSize));
        List<Object> out = new ArrayList<>();
        for (byte[] c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c));
            out.addAll(drainInbound(ch));
        }
        assertThat(ch.finish()).as("channel.finish()").isFalse();
        return out;
    }

    /** Decodes with the default (post-handshake) maximum. */
    public static List<Object> decode(boolean serverSide, byte[]... chunks) {
        return decode(serverSide, ProtocolVersion.DEFAULT_MAX_FRAME_SIZE, chunks);
    }

    /** Encodes the frame through {@link FrameEncoder} in an {@link EmbeddedChannel}; the frame is released. */
    public static byte[] encode(Frame frame) {
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        assertThat(ch.writeOutbound(frame)).isTrue();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            try {
                bytes.writeBytes(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        assertThat(ch.finish()).isFalse();
        return bytes.toByteArray();
    }

    /** Releases every reference-counted element. */
    public static void releaseAll(List<?> messages) {
        for (Object o : messages) {
            ReferenceCountUtil.release(o);
        }
    }

    /** Asserts two frames carry the same values (byte[] by content, payloads by their readable bytes). */
    public static void assertSameFrame(Object actual, Frame expected) {
        assertThat(actual).isInstanceOf(expected.getClass());
        assertThat(actual)
                .usingRecursiveComparison()
                .withStrictTypeChecking()
                .ignoringFields("payload")
                .isEqualTo(expected);
        if (expected instanceof PayloadFrame p) {
            assertThat(ByteBufUtil.getBytes(((PayloadFrame) actual).payload()))
                    .isEqualTo(ByteBufUtil.getBytes(p.payload()));
        }
    }
}
