package io.relais.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.UnknownProperties;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.SharedDeliver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SharedDeliver}: the bytes on the wire are those of the equivalent {@link Deliver}, whatever
 * the payload size, the field widths and the properties, and every reference (payload, shared tail)
 * comes back to zero.
 */
@ExtendWith(LeakCheck.class)
class SharedDeliverEncodingTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final int[] PAYLOAD_SIZES = {0, 1, 100, FrameEncoder.COPY_THRESHOLD, FrameEncoder.COPY_THRESHOLD + 1,
        FrameEncoder.TAIL_COPY_THRESHOLD, 4096, 64 * 1024};
    private static final long[] UINTS = {0, 1, 127, 128, 255, 256, 65_535, 65_536, (1L << 32) - 1, 1L << 32,
        Long.MAX_VALUE};

    private static List<Properties> properties() {
        return List.of(Properties.EMPTY,
                Properties.builder().contentType("text/plain").messageId("m-1").timestamp(1_700_000_000_000L).build(),
                Properties.builder().headers(Map.of("a", 1L, "b", "two", "c", true)).expiration(60_000L).build(),
                Properties.builder().correlationId("c").unknown(UnknownProperties.of(2, new byte[] {(byte) 0xc3, 0x07}))
                        .build());
    }

    private static ByteBuf payload(int size) {
        ByteBuf b = ALLOC.directBuffer(Math.max(size, 1));
        for (int i = 0; i < size; i++) {
            b.writeByte(i * 31);
        }
        return b;
    }

    /** What the encoder in a pipeline writes for {@code frame}, as one array; releases what it wrote. */
    private static byte[] written(Frame frame) {
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        assertThat(ch.writeOutbound(frame)).isTrue();
        ByteBuf all = ALLOC.heapBuffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        assertThat(ch.finish()).isFalse();
        try {
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    @Test
    void shouldWriteTheBytesOfDeliverWhenTheTailIsShared() {
        int checked = 0;
        for (int size : PAYLOAD_SIZES) {
            for (Properties props : properties()) {
                ByteBuf payload = payload(size);
                ByteBuf tail = FrameEncoder.encodeDeliverTail("ex.change", "fan.eu", props, payload, ALLOC);
                for (long sid : UINTS) {
                    long tag = UINTS[(checked + 3) % UINTS.length];
                    int flags = checked % 4;
                    Deliver plain = new Deliver(sid, tag, flags, "ex.change", "fan.eu", props,
                            payload.retainedDuplicate());
                    byte[] expected = written(plain);
                    byte[] actual = written(new SharedDeliver(sid, tag, flags, tail.retain(),
                            payload.retainedDuplicate()));
                    assertThat(actual).as("payload %d, sid %d, tag %d, %s", size, sid, tag, props)
                            .isEqualTo(expected);
                    checked++;
                }
                assertThat(tail.release()).as("tail back to zero").isTrue();
                assertThat(payload.release()).as("payload back to zero").isTrue();
            }
        }
        assertThat(checked).isEqualTo(PAYLOAD_SIZES.length * properties().size() * UINTS.length);
    }

    @Test
    void shouldMatchDeliverWhenEncodedToOneBuffer() {
        for (int size : PAYLOAD_SIZES) {
            ByteBuf payload = payload(size);
            ByteBuf tail = FrameEncoder.encodeDeliverTail("", "k", Properties.EMPTY, payload, ALLOC);
            SharedDeliver shared = new SharedDeliver(300, 70_000, Deliver.PERSISTENT, tail, payload);
            ByteBuf a = FrameEncoder.encodeToBuffer(shared, ALLOC);
            ByteBuf b = FrameEncoder.encodeToBuffer(new Deliver(300, 70_000, Deliver.PERSISTENT, "", "k",
                    Properties.EMPTY, payload), ALLOC);
            try {
                assertThat(ByteBufUtil.getBytes(a)).as("payload %d", size).isEqualTo(ByteBufUtil.getBytes(b));
            } finally {
                a.release();
                b.release();
            }
            assertThat(shared.release()).isTrue();
            assertThat(tail.refCnt()).isZero();
        }
    }

    @Test
    void shouldAppendTheBytesOfDeliverWhenManyGoIntoOneBuffer() {
        int[] sizes = {0, 1, 100, FrameEncoder.COPY_THRESHOLD};
        ByteBuf all = ALLOC.directBuffer();
        ByteBuf expected = ALLOC.heapBuffer();
        for (int i = 0; i < sizes.length * UINTS.length; i++) {
            ByteBuf payload = payload(sizes[i % sizes.length]);
            Properties props = properties().get(i % properties().size());
            ByteBuf tail = FrameEncoder.encodeDeliverTail("x", "fan.eu", props, payload, ALLOC);
            long sid = UINTS[i % UINTS.length];
            long tag = UINTS[(i / sizes.length) % UINTS.length];
            FrameEncoder.encodeDeliverInto(sid, tag, i % 4, tail, all);
            expected.writeBytes(written(new Deliver(sid, tag, i % 4, "x", "fan.eu", props, payload.retainedDuplicate())));
            assertThat(tail.release()).isTrue();
            assertThat(payload.release()).isTrue();
        }
        try {
            assertThat(ByteBufUtil.getBytes(all)).isEqualTo(ByteBufUtil.getBytes(expected));
        } finally {
            all.release();
            expected.release();
        }
    }

    @Test
    void shouldWriteOneBufferForASmallMessageAndShareNothingMutable() {
        ByteBuf payload = payload(100);
        ByteBuf tail = FrameEncoder.encodeDeliverTail("x", "k", Properties.EMPTY, payload, ALLOC);
        int tailReader = tail.readerIndex();
        List<ByteBuf> out = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        for (int i = 1; i <= 3; i++) {
            ch.writeOutbound(new SharedDeliver(1, i, 0, tail.retain(), payload.retainedDuplicate()));
        }
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.add(b);
        }
        assertThat(ch.finish()).isFalse();
        assertThat(out).as("one buffer per delivery").hasSize(3);
        assertThat(tail.readerIndex()).as("the shared tail is read with absolute indexes").isEqualTo(tailReader);
        out.forEach(ByteBuf::release);
        assertThat(tail.release()).isTrue();
        assertThat(payload.release()).isTrue();
    }

    @Test
    void shouldPassALargeTailAndPayloadOnWhenShared() {
        ByteBuf payload = payload(4096);
        Properties big = Properties.builder().messageId("m".repeat(2000)).build();
        ByteBuf tail = FrameEncoder.encodeDeliverTail("x", "k", big, payload, ALLOC);
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        ch.writeOutbound(new SharedDeliver(1, 1, 0, tail.retain(), payload.retainedDuplicate()));
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.add(b);
        }
        assertThat(ch.finish()).isFalse();
        assertThat(out).as("head, shared tail, payload").hasSize(3);
        assertThat(out.get(2).readableBytes()).isEqualTo(4096);
        out.forEach(ByteBuf::release);
        assertThat(tail.release()).isTrue();
        assertThat(payload.release()).isTrue();
    }
}
