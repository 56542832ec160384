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
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class MessageRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
    private final ByteBuf header = Unpooled.buffer(256);
    private final FrameDecoder decoder = new FrameDecoder(true, Integer.MAX_VALUE);
    private final RecordChecksum checksum = new RecordChecksum();

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
        MessageRecord.write(bytes, checksum, seq, arrival, appended, header, payload);
        return header.readableBytes();
    }

    @Test
    void shouldWriteTheNumbersTheMarkerLengthAndChecksumThenTheFrameAsOnTheWire() {
        ByteBuf payload = Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8);
        int headerLength = write(7, 1_790_000_000_000L, 105, payload);
        payload.release();

        ByteBuffer record = ByteBuffer.wrap(bytes.toByteArray());
        assertThat(record.remaining()).isEqualTo(36 + headerLength + 5);
        record.order(ByteOrder.LITTLE_ENDIAN);
        assertThat(record.getLong(0)).isEqualTo(7);
        assertThat(record.getLong(8)).isEqualTo(1_790_000_000_000L);
        assertThat(record.getLong(16)).isEqualTo(105);
        assertThat(new byte[] {record.get(24), record.get(25), record.get(26), record.get(27)})
                .containsExactly(0xFF, 'R', 'M', 2);
        assertThat(record.getInt(28)).as("record length").isEqualTo(record.remaining());
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 0, 32);
        crc.update(record.array(), 36, record.remaining() - 36);
        assertThat(Integer.toUnsignedLong(record.getInt(32))).isEqualTo(crc.getValue());
        record.order(ByteOrder.BIG_ENDIAN);
        assertThat(record.getInt(36)).as("length prefix: body and payload").isEqualTo(headerLength - 4 + 5);
        assertThat(new String(record.array(), 36 + headerLength, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void shouldReadBackTheNumbersAndTheFrameWhenThePayloadIsDirect() {
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer();
        payload.writeCharSequence("direct payload", StandardCharsets.UTF_8);
        write(3, 1000, 14, payload);
        payload.release();

        MessageRecord read = new MessageRecord();
        assertThat(read.read(bytes, checksum)).isNull();
        assertThat(read.format()).isEqualTo(2);
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
    void shouldReadARecordOfFormatOneAsTheOldBrokerWroteIt() {
        ByteBuf payload = Unpooled.copiedBuffer("old", StandardCharsets.UTF_8);
        Publish old = new Publish(0, "ex", "k", Publish.PERSISTENT, Properties.EMPTY, payload);
        FrameEncoder.encodeHeader(old, header);
        bytes.writeLong(5);
        bytes.writeLong(2000);
        bytes.writeLong(3);
        bytes.write(header.array(), header.arrayOffset() + header.readerIndex(), header.readableBytes());
        bytes.write(payload.array(), payload.arrayOffset(), 3);
        payload.release();

        MessageRecord read = new MessageRecord();
        assertThat(read.read(bytes, checksum)).isNull();
        assertThat(read.format()).isEqualTo(1);
        assertThat(read.seq()).isEqualTo(5);
        Publish frame = MessageRecord.readFrame(bytes, PooledByteBufAllocator.DEFAULT, decoder);
        try {
            assertThat(frame.payload().toString(StandardCharsets.UTF_8)).isEqualTo("old");
        } finally {
            frame.payload().release();
        }
    }

    @Test
    void shouldRefuseARecordWhenAnyBitOfItIsFlipped() {
        ByteBuf payload = Unpooled.copiedBuffer("some payload", StandardCharsets.UTF_8);
        write(3, 1000, 12, payload);
        payload.release();
        byte[] good = bytes.toByteArray();
        MessageRecord read = new MessageRecord();

        for (int at = 0; at < good.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                bytes.clear();
                bytes.write(good);
                bytes.writeByte(at, (byte) (good[at] ^ (1 << bit)));
                assertThat(read.read(bytes, checksum)).as("bit %d of byte %d flipped", bit, at).isNotNull();
                assertThat(bytes.readPosition()).isZero();
            }
        }
    }

    @Test
    void shouldRefuseARecordCutShortOrOfZeros() {
        ByteBuf payload = Unpooled.copiedBuffer("some payload", StandardCharsets.UTF_8);
        write(3, 1000, 12, payload);
        payload.release();
        byte[] good = bytes.toByteArray();
        MessageRecord read = new MessageRecord();

        for (int length = 0; length < good.length; length++) {
            bytes.clear();
            bytes.write(good, 0, length);
            assertThat(read.read(bytes, checksum)).as("cut to %d bytes", length).isNotNull();
        }
        bytes.clear();
        bytes.write(new byte[good.length]);
        assertThat(read.read(bytes, checksum)).as("zeros").isNotNull();
    }

    @Test
    void shouldThrowAndReleaseItsBufferWhenTheFrameIsMalformed() {
        bytes.writeLong(0);
        bytes.writeLong(0);
        bytes.writeLong(0);
        bytes.writeInt(Integer.reverseBytes(4));
        bytes.writeInt(99);
        MessageRecord read = new MessageRecord();
        assertThat(read.read(bytes, checksum)).isNull();

        assertThatThrownBy(() -> MessageRecord.readFrame(bytes, PooledByteBufAllocator.DEFAULT, decoder))
                .isInstanceOf(RuntimeException.class);
    }
}
