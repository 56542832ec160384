package io.relais.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.TestVectors;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class FrameEncoderTest {

    private static List<ByteBuf> write(Object frame) {
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        assertThat(ch.writeOutbound(frame)).isTrue();
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.add(b);
        }
        assertThat(ch.finish()).isFalse();
        return out;
    }

    private static byte[] bytesOf(List<ByteBuf> bufs) {
        ByteBuf all = Unpooled.wrappedBuffer(bufs.stream().map(ByteBuf::retainedDuplicate).toArray(ByteBuf[]::new));
        try {
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    private static void releaseAll(List<ByteBuf> bufs) {
        bufs.forEach(ByteBuf::release);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, FrameEncoder.COPY_THRESHOLD})
    void shouldWriteOneBufferAndReleasePayloadWhenPayloadIsSmall(int size) {
        ByteBuf payload = Unpooled.buffer(16).writeZero(size); // not Unpooled.EMPTY_BUFFER, which is never freed
        List<ByteBuf> out = write(new Publish(1, "x", "k", 0, Properties.EMPTY, payload));
        try {
            assertThat(out).hasSize(1);
            assertThat(payload.refCnt()).as("the encoder released the frame").isZero();
            ByteBuf b = out.get(0);
            assertThat(b.getInt(b.readerIndex())).isEqualTo(b.readableBytes() - 4);
        } finally {
            releaseAll(out);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {FrameEncoder.COPY_THRESHOLD + 1, 4096, 1 << 20})
    void shouldPassPayloadWithoutCopyWhenPayloadIsLarge(int size) {
        byte[] array = new byte[size];
        array[size - 1] = 42;
        ByteBuf payload = Unpooled.wrappedBuffer(array);
        Deliver frame = new Deliver(1, 2, 0, "x", "k", Properties.builder().messageId("m").build(), payload);
        ByteBuf whole = FrameEncoder.encodeToBuffer(frame, UnpooledByteBufAllocator.DEFAULT); // does not release frame
        byte[] expected = ByteBufUtil.getBytes(whole);
        whole.release();
        List<ByteBuf> out = write(frame);
        try {
            assertThat(out).hasSize(2);
            ByteBuf header = out.get(0);
            ByteBuf body = out.get(1);
            assertThat(header.getInt(header.readerIndex())).isEqualTo(header.readableBytes() - 4 + size);
            assertThat(body.readableBytes()).isEqualTo(size);
            assertThat(body.hasArray()).isTrue();
            assertThat(body.array()).as("payload not copied").isSameAs(array);
            assertThat(payload.refCnt()).as("frame released, slice retained").isEqualTo(1);
            assertThat(bytesOf(out)).isEqualTo(expected);
        } finally {
            releaseAll(out);
        }
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void shouldWriteSameBytesAsEncodeToBufferWhenFrameHasNoPayload() {
        Ack ack = new Ack(123_456, true);
        ByteBuf direct = FrameEncoder.encodeToBuffer(ack, UnpooledByteBufAllocator.DEFAULT);
        List<ByteBuf> out = write(ack);
        try {
            assertThat(out).hasSize(1);
            assertThat(bytesOf(out)).isEqualTo(ByteBufUtil.getBytes(direct));
            assertThat(out.get(0).getInt(0)).isEqualTo(out.get(0).readableBytes() - 4);
        } finally {
            direct.release();
            releaseAll(out);
        }
    }

    @Test
    void shouldLeavePayloadReaderIndexAloneWhenEncoding() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[2000]);
        payload.readerIndex(10);
        List<ByteBuf> out = write(new Publish(0, "", "k", 0, Properties.EMPTY, payload.retain()));
        try {
            assertThat(payload.readerIndex()).isEqualTo(10);
            assertThat(out.get(1).readableBytes()).isEqualTo(1990);
        } finally {
            releaseAll(out);
            payload.release();
        }
    }

    @Test
    void shouldMatchVectorWhenLargePayloadFrameIsWrittenInTwoBuffers() {
        byte[] vector = TestVectors.get("30-publish-large_payload").bytes();
        byte[] payload = new byte[600];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        List<ByteBuf> out = write(new Publish(3, "", "bulk", 0, Properties.EMPTY, Unpooled.wrappedBuffer(payload)));
        try {
            assertThat(out).hasSize(2);
            assertThat(bytesOf(out)).isEqualTo(vector);
        } finally {
            releaseAll(out);
        }
    }

    @Test
    void shouldReleaseNothingTwiceWhenFrameEncodingFails() {
        Map<String, Object> bad = Map.of("k", new Object());
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        try {
            ch.writeOutbound(new Bind(1, "q", "x", "#", bad));
        } catch (Exception expected) {
            // EncoderException: the header buffer must have been released (LeakCheck verifies)
        }
        assertThat(ch.<Object>readOutbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldRefuseFrameWhenUnsignedFieldIsNegative() {
        List<Frame> bad = List.of(new Ack(-1, false), new Close(-1, "x"), new Confirm(1, false, false, Integer.MIN_VALUE),
                new Publish(0, "", "k", 0, Properties.builder().expiration(-5L).build(), Unpooled.buffer(0)));
        for (Frame frame : bad) {
            EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
            assertThatThrownBy(() -> ch.writeOutbound(frame)).as("%s", frame)
                    .isInstanceOf(EncoderException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThat(ch.<Object>readOutbound()).isNull();
            assertThat(ch.finish()).isFalse();
        }
    }
}
