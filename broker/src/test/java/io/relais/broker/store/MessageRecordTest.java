package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Publish;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class MessageRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
    private final ByteBuf header = Unpooled.buffer(256);
    private final FrameDecoder decoder = new FrameDecoder(true, Integer.MAX_VALUE);

    @AfterEach
    void release() {
        bytes.releaseLast();
        header.release();
    }

    /** Writes a record of {@code payload} as the store does; returns the frame header's length. */
    private int write(long seq, long arrival, long appended, ByteBuf payload) {
        Publish frame = new Publish(0, "ex", "a.b", Publish.PERSISTENT,
                Properties.builder().messageId("m").headers(Map.of("h", 1L)).build(), payload);
        FrameEncoder.encodeHeader(frame, header);
        MessageRecord.write(bytes, seq, arrival, appended, header, payload);
        return header.readableBytes();
    }

    @Test
    void shouldWriteTheNumbersLittleEndianThenTheFrameAsOnTheWire() {
        ByteBuf payload = Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8);
        int headerLength = write(7, 1_790_000_000_000L, 105, payload);
        payload.release();

        ByteBuffer record = ByteBuffer.wrap(bytes.toByteArray());
        assertThat(record.remaining()).isEqualTo(24 + headerLength + 5);
        record.order(ByteOrder.LITTLE_ENDIAN);
        assertThat(record.getLong(0)).isEqualTo(7);
        assertThat(record.getLong(8)).isEqualTo(1_790_000_000_000L);
        assertThat(record.getLong(16)).isEqualTo(105);
        record.order(ByteOrder.BIG_ENDIAN);
        assertThat(record.getInt(24)).as("length prefix: body and payload").isEqualTo(headerLength - 4 + 5);
        assertThat(new String(record.array(), 24 + headerLength, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void shouldReadBackTheNumbersAndTheFrameWhenThePayloadIsDirect() {
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer();
        payload.writeCharSequence("direct payload", StandardCharsets.UTF_8);
        write(3, 1000, 14, payload);
        payload.release();

        MessageRecord read = new MessageRecord();
        read.readNumbers(bytes);
        assertThat(read.seq()).isEqualTo(3);
        assertThat(read.arrivalMillis()).isEqualTo(1000);
        assertThat(read.appendedBytes()).isEqualTo(14);
        Publish frame = MessageRecord.readFrame(bytes, PooledByteBufAllocator.DEFAULT, decoder);
        try {
            assertThat(frame.exchange()).isEqualTo("ex");
            assertThat(frame.routingKey()).isEqualTo("a.b");
            assertThat(frame.flags() & Publish.PERSISTENT).isNotZero();
            assertThat(frame.properties().messageId()).isEqualTo("m");
            assertThat(frame.properties().headers()).containsEntry("h", 1L);
            assertThat(frame.payload().toString(StandardCharsets.UTF_8)).isEqualTo("direct payload");
        } finally {
            frame.payload().release();
        }
    }

    @Test
    void shouldThrowAndReleaseItsBufferWhenTheFrameIsMalformed() {
        bytes.writeLong(0);
        bytes.writeLong(0);
        bytes.writeLong(0);
        bytes.writeInt(99);
        bytes.writeInt(0);
        MessageRecord read = new MessageRecord();
        read.readNumbers(bytes);

        assertThatThrownBy(() -> MessageRecord.readFrame(bytes, PooledByteBufAllocator.DEFAULT, decoder))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("length prefix");
    }
}
