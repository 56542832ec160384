package io.relais.protocol.codec;

import static io.relais.protocol.codec.FrameDecoderTest.assertFails;
import static io.relais.protocol.codec.FrameDecoderTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.relais.protocol.Codec;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.TestVectors.Vector;
import io.relais.protocol.TestVectors;
import io.relais.protocol.UnknownProperties;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Return;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * "Delivered unchanged" (PROTOCOL.md section 1.4): properties decoded from a PUBLISH, known and
 * unknown, come out of a DELIVER or RETURN encoded from them byte for byte, also after a trip
 * through the broker's on-disk form.
 */
@ExtendWith(LeakCheck.class)
class PropertiesForwardingTest {
    private static final boolean SERVER = true;
    private static final boolean CLIENT = false;
    /** Index of the properties element in a PUBLISH body ([30, seq, exchange, routing_key, flags, properties, payload]). */
    private static final int PUBLISH_PROPERTIES = 5;
    /** Index of the properties element in DELIVER and RETURN bodies. */
    private static final int DELIVER_PROPERTIES = 6;

    /** Decodes a PUBLISH with a server-side decoder in an EmbeddedChannel, fed in two fragments. */
    private static Publish receivePublish(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        int half = bytes.length / 2;
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, 0, half)))).isFalse();
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, half, bytes.length)))).isTrue();
        List<Object> out = Codec.drainInbound(ch);
        assertThat(ch.finish()).isFalse();
        assertThat(out).hasSize(1).first().isInstanceOf(Publish.class);
        return (Publish) out.get(0);
    }

    /** The MessagePack bytes of element {@code index} of a frame's body array. */
    static byte[] element(byte[] frame, int index) {
        byte[] body = Arrays.copyOfRange(frame, 4, frame.length);
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(body)) {
            int n = u.unpackArrayHeader();
            assertThat(index).isLessThan(n);
            for (int i = 0; i < index; i++) {
                u.skipValue();
            }
            int start = (int) u.getTotalReadBytes();
            u.skipValue();
            return Arrays.copyOfRange(body, start, (int) u.getTotalReadBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldDeliverPropertiesByteForByteWhenPublishIsReencodedAsDeliver() {
        byte[] published = TestVectors.get("30-publish-unknown_properties").bytes();
        Publish p = receivePublish(published);
        assertThat(p.properties().unknown().count()).isEqualTo(3);
        Deliver d = new Deliver(3, 7, Deliver.PERSISTENT, p.exchange(), p.routingKey(), p.properties(), p.payload());
        byte[] delivered = Codec.encode(d); // releases the payload
        assertThat(TestVectors.toHex(delivered, 16))
                .isEqualTo(TestVectors.toHex(TestVectors.get("37-deliver-unknown_properties").bytes(), 16));
        assertThat(element(delivered, DELIVER_PROPERTIES)).isEqualTo(element(published, PUBLISH_PROPERTIES));

        List<Object> out = Codec.decode(CLIENT, delivered);
        try {
            assertThat(((Deliver) out.get(0)).properties()).isEqualTo(p.properties());
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldReturnPropertiesByteForByteWhenPublishIsReencodedAsReturn() {
        byte[] published = TestVectors.get("30-publish-unknown_properties").bytes();
        Publish p = receivePublish(published);
        byte[] returned = Codec.encode(new Return(4, 1001, "no route", p.exchange(), p.routingKey(), p.properties(),
                p.payload()));
        assertThat(element(returned, DELIVER_PROPERTIES)).isEqualTo(element(published, PUBLISH_PROPERTIES));
    }

    @Test
    void shouldKeepEveryPropertyWhenPublishIsStoredAndReadBackLikeTheMessageStore() {
        for (String name : List.of("30-publish-unknown_properties", "30-publish-properties_extension",
                "30-publish-all_properties")) {
            Publish p = receivePublish(TestVectors.get(name).bytes());
            Publish stored = new Publish(0, p.exchange(), p.routingKey(), p.flags(), p.properties(), p.payload());
            ByteBuf disk = Unpooled.buffer();
            try {
                FrameEncoder.encodeHeader(stored, disk);
                disk.writeBytes(p.payload(), p.payload().readerIndex(), p.payload().readableBytes());
                Frame back = new FrameDecoder(SERVER).decodeStored(disk);
                try {
                    assertThat(((Publish) back).properties()).as(name).usingRecursiveComparison()
                            .isEqualTo(p.properties());
                } finally {
                    Codec.releaseAll(List.of(back));
                }
            } finally {
                disk.release();
                stored.release();
            }
        }
    }

    @Test
    void shouldDecodeStoredFramesOfTheEarlierEncoderAsBeforeWhenTheyHaveSevenPropertiesOrFewer() {
        // What a data directory written before unknown properties were kept holds: PUBLISH frames
        // whose properties array has at most seven elements. They decode as before and encode the same.
        for (Vector v : TestVectors.all()) {
            if (v.type() != FrameType.PUBLISH || v.decodeOnly()) {
                continue;
            }
            ByteBuf disk = Unpooled.wrappedBuffer(v.copy());
            Frame back = new FrameDecoder(SERVER).decodeStored(disk);
            Publish p = (Publish) back;
            if (p.properties().presentFields() > Properties.V1_FIELDS) {
                p.release();
                continue;
            }
            assertThat(p.properties().unknown()).as(v.name()).isSameAs(UnknownProperties.NONE);
            ByteBuf again = Unpooled.buffer();
            try {
                FrameEncoder.encodeHeader(p, again);
                again.writeBytes(p.payload(), p.payload().readerIndex(), p.payload().readableBytes());
                assertThat(ByteBufUtil.getBytes(again)).as(v.name()).isEqualTo(v.bytes());
            } finally {
                again.release();
                p.release();
            }
        }
    }

    @Test
    void shouldDropTrailingNilsWhenPropertiesEndWithNil() {
        List<Object> out = Codec.decode(SERVER, frame(p -> {
            p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0).packArrayHeader(10);
            for (int i = 0; i < 10; i++) {
                p.packNil();
            }
            p.packBinaryHeader(0);
        }));
        try {
            Publish p = (Publish) out.get(0);
            assertThat(p.properties()).isEqualTo(Properties.EMPTY);
            assertThat(element(Codec.encode(p.retain()), PUBLISH_PROPERTIES)).containsExactly(0x90);
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldKeepExtensionTypeValueWhenItIsAnUnknownProperty() {
        byte[] bytes = frame(p -> p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k")
                .packInt(0).packArrayHeader(8).packNil().packNil().packNil().packNil().packNil().packNil().packNil()
                .packExtensionTypeHeader((byte) 5, 2).writePayload(new byte[] {1, 2}).packBinaryHeader(0));
        List<Object> out = Codec.decode(SERVER, bytes);
        try {
            Publish p = (Publish) out.get(0);
            assertThat(p.properties().unknown().encoded()).containsExactly(0xd5, 0x05, 0x01, 0x02);
            assertThat(Codec.encode(p.retain())).isEqualTo(bytes);
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldFailWithMalformedWhenUnknownPropertyIsNotWellFormed() {
        // 0xc1 is never used in MessagePack
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(8).packNil().packNil().packNil()
                .packNil().packNil().packNil().packNil().writePayload(new byte[] {(byte) 0xc1}).packBinaryHeader(0)));
        // an unknown property that claims more elements than the frame holds
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(8).packNil().packNil().packNil()
                .packNil().packNil().packNil().packNil().packArrayHeader(100)));
    }
}
