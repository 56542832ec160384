package io.relais.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Publish;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames larger than {@link FrameDecoder#COMPOSITE_THRESHOLD} that arrive in several reads are gathered
 * without copying: their payload is a view of the buffers the reads came in. Smaller frames, and every
 * mix of both split anywhere, still decode to the bytes that were sent.
 */
@ExtendWith(LeakCheck.class)
class LargeFrameDecoderTest {
    private static final int SIZE = 64 * 1024;

    private static byte[] publishBytes(int size, int seed) {
        byte[] payload = new byte[size];
        new Random(seed).nextBytes(payload);
        ByteBuf frame = FrameEncoder.encodeToBuffer(new Publish(seed, "", "q", Publish.PERSISTENT, Properties.EMPTY,
                Unpooled.wrappedBuffer(payload)), PooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    private static ByteBuf direct(byte[] bytes, int from, int to) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(to - from);
        b.writeBytes(bytes, from, to - from);
        return b;
    }

    @Test
    void shouldLeaveTheLargePayloadInTheReadBuffersWhenItArrivesInSeveralReads() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(true, 16 << 20));
        byte[] frame = publishBytes(SIZE, 1);
        int[] cuts = {0, 100, 30_000, 60_000, frame.length};
        List<ByteBuf> reads = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.length; i++) {
            ByteBuf read = direct(frame, cuts[i], cuts[i + 1]);
            reads.add(read.retain()); // kept to write into afterwards; the decoder releases its own reference
            ch.writeInbound(read);
            if (i + 2 < cuts.length) {
                Object none = ch.readInbound();
                assertThat(none).as("nothing before the frame is complete").isNull();
            }
        }
        Publish p = ch.readInbound();
        try {
            ByteBuf payload = p.payload();
            assertThat(ByteBufUtil.getBytes(payload)).isEqualTo(Arrays.copyOfRange(frame,
                    frame.length - SIZE, frame.length));
            // Writing into the buffers the reads came in changes the payload: it was never copied.
            int payloadStart = frame.length - SIZE;
            for (int i = 1; i + 1 < cuts.length; i++) {
                int at = cuts[i] + 10;
                ByteBuf read = reads.get(i);
                byte was = read.getByte(10);
                read.setByte(10, ~was);
                assertThat(payload.getByte(payload.readerIndex() + at - payloadStart))
                        .as("payload byte %d seen through read %d", at - payloadStart, i).isEqualTo((byte) ~was);
            }
            assertThat(payload.nioBufferCount()).as("one view per read it spans").isGreaterThan(1);
        } finally {
            p.payload().release();
            reads.forEach(ByteBuf::release);
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldDecodeEveryFrameOfAMixedStreamWhateverTheReadsAre() {
        Random random = new Random(7);
        int[] sizes = {10, SIZE, 0, 200_000, 16 * 1024, 16 * 1024 + 1, 3, SIZE, 1};
        List<byte[]> frames = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < sizes.length; i++) {
            frames.add(publishBytes(sizes[i], i));
            total += frames.get(i).length;
        }
        byte[] stream = new byte[total];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, stream, at, f.length);
            at += f.length;
        }
        for (int round = 0; round < 20; round++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(true, 16 << 20));
            List<Publish> out = new ArrayList<>();
            int from = 0;
            while (from < stream.length) {
                int n = Math.min(stream.length - from, 1 + random.nextInt(round % 2 == 0 ? 70_000 : 300));
                if (round % 2 == 1 && random.nextInt(50) == 0) {
                    n = Math.min(stream.length - from, 40_000);
                }
                ch.writeInbound(direct(stream, from, from + n));
                from += n;
                Publish p;
                while ((p = ch.readInbound()) != null) {
                    out.add(p);
                }
            }
            try {
                assertThat(out).hasSize(sizes.length);
                for (int i = 0; i < sizes.length; i++) {
                    byte[] expected = new byte[sizes[i]];
                    new Random(i).nextBytes(expected);
                    assertThat(out.get(i).seq()).isEqualTo(i);
                    assertThat(ByteBufUtil.getBytes(out.get(i).payload())).as("frame %d, round %d", i, round)
                            .isEqualTo(expected);
                }
            } finally {
                out.forEach(p -> p.payload().release());
            }
            assertThat(ch.finish()).isFalse();
        }
    }
}
