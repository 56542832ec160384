package io.relais.protocol.codec;

import static io.relais.protocol.VectorCatalog.frameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.Codec;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.TestVectors.Vector;
import io.relais.protocol.TestVectors;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.PayloadFrame;
import io.relais.protocol.frame.Publish;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Modelled on Netty's RedisDecoderTest: EmbeddedChannel, split input, garbage input. */
@ExtendWith(LeakCheck.class)
class FrameDecoderTest {
    private static final boolean SERVER = true;
    private static final boolean CLIENT = false;

    static List<Vector> vectors() {
        return TestVectors.all();
    }

    interface Body {
        void write(MessageBufferPacker p) throws IOException;
    }

    /** A length-prefixed frame whose body is written by hand. */
    static byte[] frame(Body body) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            body.write(p);
            return frameBytes(p.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] hex(String h) {
        return TestVectors.parseHex(h);
    }

    /** Decodes and asserts the outcome is exactly one DecodeFailure with this code. */
    static DecodeFailure assertFails(boolean serverSide, ErrorCode code, byte[]... chunks) {
        List<Object> out = Codec.decode(serverSide, chunks);
        try {
            assertThat(out).hasSize(1);
            assertThat(out.get(0)).isInstanceOf(DecodeFailure.class);
            DecodeFailure f = (DecodeFailure) out.get(0);
            assertThat(f.code()).as(f.message()).isEqualTo(code);
            assertThat(f.message()).isNotBlank();
            return f;
        } finally {
            Codec.releaseAll(out);
        }
    }

    // ---- framing ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldEmitNothingUntilFrameCompletesWhenVectorIsSplitAtEveryPosition(Vector v) {
        byte[] b = v.bytes();
        boolean side = Codec.receiverIsServer(v.type());
        for (int split = 1; split < b.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(side));
            assertThat(ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(b, 0, split)))).isFalse();
            assertThat(ch.<Object>readInbound()).as("output after %d of %d bytes", split, b.length).isNull();
            assertThat(ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(b, split, b.length)))).isTrue();
            List<Object> out = Codec.drainInbound(ch);
            try {
                assertThat(out).hasSize(1);
                assertThat(((Frame) out.get(0)).type()).isEqualTo(v.type());
            } finally {
                Codec.releaseAll(out);
            }
            assertThat(ch.finish()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldDecodeOneFrameWhenVectorArrivesByteByByte(Vector v) {
        byte[] b = v.bytes();
        byte[][] chunks = new byte[b.length][];
        for (int i = 0; i < b.length; i++) {
            chunks[i] = new byte[] {b[i]};
        }
        List<Object> out = Codec.decode(Codec.receiverIsServer(v.type()), chunks);
        try {
            assertThat(out).hasSize(1);
            assertThat(((Frame) out.get(0)).type()).isEqualTo(v.type());
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldDecodeEveryFrameInOrderWhenManyArriveInOneBuffer() {
        for (boolean side : new boolean[] {SERVER, CLIENT}) {
            List<Vector> accepted = TestVectors.all().stream()
                    .filter(v -> side ? v.type().sentByClient() : v.type().sentByServer()).toList();
            byte[] all = concat(accepted.stream().map(Vector::bytes).toArray(byte[][]::new));
            List<Object> out = Codec.decode(side, concat(all, all, all));
            try {
                assertThat(out).hasSize(3 * accepted.size());
                for (int i = 0; i < out.size(); i++) {
                    assertThat(((Frame) out.get(i)).type()).isEqualTo(accepted.get(i % accepted.size()).type());
                }
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldEmitNothingAndNotFailWhenInputIsTruncated(Vector v) {
        byte[] b = v.bytes();
        for (int len : new int[] {0, 1, 3, 4, 5, b.length - 1}) {
            if (len < 0 || len >= b.length) {
                continue;
            }
            assertThat(Codec.decode(Codec.receiverIsServer(v.type()), Arrays.copyOf(b, len))).isEmpty();
        }
    }

    @Test
    void shouldFailWithFrameTooLargeWhenLengthIsZero() {
        assertFails(SERVER, ErrorCode.FRAME_TOO_LARGE, hex("00 00 00 00"));
        assertFails(CLIENT, ErrorCode.FRAME_TOO_LARGE, hex("00 00 00 00 00 00 00 01 95"));
    }

    @ParameterizedTest
    @ValueSource(longs = {ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE + 1L, 0x7fffffffL, 0x80000000L, 0xffffffffL})
    void shouldFailOnceAndIgnoreFurtherInputWhenLengthIsOversized(long length) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ByteBuf prefix = Unpooled.buffer(4).writeInt((int) length);
        assertThat(ch.writeInbound(prefix)).isTrue(); // detected from the prefix alone
        List<Object> out = Codec.drainInbound(ch);
        assertThat(out).hasSize(1);
        assertThat(((DecodeFailure) out.get(0)).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        for (Vector v : TestVectors.all()) {
            assertThat(ch.writeInbound(Unpooled.wrappedBuffer(v.bytes()))).isFalse();
        }
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldAcceptLargerFramesWhenMaxFrameSizeIsRaised() {
        byte[] big = frame(p -> {
            p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0).packArrayHeader(0);
            p.packBinaryHeader(100_000).writePayload(new byte[100_000]);
        });
        FrameDecoder decoder = new FrameDecoder(SERVER);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        decoder.maxFrameSize(ProtocolVersion.DEFAULT_MAX_FRAME_SIZE);
        ch.writeInbound(Unpooled.wrappedBuffer(big));
        Publish p = ch.readInbound();
        assertThat(p.payload().readableBytes()).isEqualTo(100_000);
        p.release();
        assertThat(ch.finish()).isFalse();

        List<Object> refused = Codec.decode(SERVER, ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE, big);
        assertThat(refused).hasSize(1);
        assertThat(((DecodeFailure) refused.get(0)).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void shouldRejectFrameAboveHandshakeLimitWhenMaxFrameSizeIsDefault() {
        byte[] big = frame(p -> p.packArrayHeader(3).packInt(6).packInt(2009).packString("x".repeat(70_000)));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(Unpooled.wrappedBuffer(big));
        assertThat(((DecodeFailure) ch.readInbound()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldEmitEarlierFramesThenOneFailureWhenBadFrameFollows() {
        byte[] good = TestVectors.get("38-ack").bytes();
        byte[] bad = frame(p -> p.packArrayHeader(3).packInt(38).packString("one").packBoolean(false));
        List<Object> out = Codec.decode(SERVER, concat(good, good, bad, good, good));
        try {
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isInstanceOf(Frame.class);
            assertThat(out.get(1)).isInstanceOf(Frame.class);
            assertThat(((DecodeFailure) out.get(2)).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldIgnoreInputAfterFailureWhenMoreFramesArriveLater() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(Unpooled.wrappedBuffer(hex("00 00 00 01 c1")));
        assertThat(((DecodeFailure) ch.readInbound()).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(TestVectors.get("30-publish").bytes()))).isFalse();
        assertThat(ch.finish()).isFalse();
    }

    // ---- body structure and types ----

    @Test
    void shouldFailWithMalformedWhenBodyIsNotAnArray() {
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packInt(5)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packString("HEARTBEAT")));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packMapHeader(1).packInt(0).packInt(5)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packNil()));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(0)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, hex("00 00 00 01 c1")); // never-used byte
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, hex("00 00 00 01 dc")); // cut-off array16 header
    }

    @Test
    void shouldFailWithMalformedWhenFieldHasWrongMessagePackType() {
        // HELLO with min_version as a string
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(5).packInt(1).packString("1")
                .packInt(1).packString("c").packArrayHeader(0)));
        // HELLO with a capability that is an int
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(5).packInt(1).packInt(1)
                .packInt(1).packString("c").packArrayHeader(1).packInt(7)));
        // AUTH with the response as str instead of bin
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(4).packInt(3).packString("PLAIN")
                .packString("\0guest\0guest").packInt(0)));
        // AUTH with the response as a str8 (not fix) instead of bin
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(4).packInt(3).packString("PLAIN")
                .packString("x".repeat(40)).packInt(0)));
        // CLOSE with the reason as bin instead of str
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(6).packInt(2009)
                .packBinaryHeader(1).writePayload(new byte[] {'x'})));
        // CONFIRM with ack as int
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(5).packInt(31).packInt(1)
                .packInt(1).packBoolean(false).packInt(0)));
        // ACK with a negative delivery tag
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(38).packInt(-1)
                .packBoolean(false)));
        // OK with a uint64 count above Long.MAX_VALUE
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, hex("00 00 00 0c 93 09 01 cf ff ff ff ff ff ff ff ff"));
        // CLOSE with a code above 31 bits
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(6)
                .packLong(1L << 33).packString("x")));
        // ACK with a float tag
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(38).packDouble(1.0)
                .packBoolean(false)));
        // PUBLISH with the payload as str
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(0).packString("hello")));
        // PUBLISH with properties as a map
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packMapHeader(0).packBinaryHeader(0)));
        // PUBLISH with content_type as int
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(1).packInt(1).packBinaryHeader(0)));
        // PUBLISH with a negative expiration
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(6).packNil().packNil().packNil()
                .packNil().packNil().packInt(-5).packBinaryHeader(0)));
        // BIND with an array as argument value, and with an int key
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(16).packInt(1)
                .packString("q").packString("x").packString("#").packMapHeader(1).packString("a").packArrayHeader(0)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(16).packInt(1)
                .packString("q").packString("x").packString("#").packMapHeader(1).packInt(1).packInt(1)));
        // EXCHANGE_LIST_OK entry with a string bindings count, and with a missing element
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(19).packInt(1)
                .packArrayHeader(1).packArrayHeader(5).packString("").packString("topic").packBoolean(true)
                .packBoolean(false).packString("0")));
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(3).packInt(19).packInt(1)
                .packArrayHeader(1).packArrayHeader(4).packString("").packString("topic").packBoolean(true)
                .packBoolean(false)));
        // an extension (ext) value as a header value
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(16).packInt(1)
                .packString("q").packString("x").packString("#").packMapHeader(1).packString("a")
                .packExtensionTypeHeader((byte) 1, 1).writePayload(new byte[] {0})));
    }

    @Test
    void shouldFailWithMalformedWhenFieldIsMissing() {
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(4).packInt(1).packInt(1)
                .packInt(1).packString("c")));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(0)));
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(1).packInt(9)));
    }

    @Test
    void shouldFailWithMalformedWhenArrayClaimsMoreElementsThanBodyHolds() {
        // [HEARTBEAT] claiming 3 elements
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, hex("00 00 00 02 93 05"));
        // PUBLISH whose bin8 payload header claims more bytes than follow
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, hex("00 00 00 0b 97 1e 00 a0 a1 6b 00 90 c4 05 68 65"));
    }

    @Test
    void shouldFailWithMalformedWhenDeclaredLengthIsHugeButBodyIsShort() {
        // bin32 / str32 / array32 / map32 headers claiming about 2 GiB inside a tiny frame: must fail
        // cleanly, without trying to allocate what the header claims.
        String huge = "7f ff ff ff";
        // AUTH response
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(4).packInt(3).packString("PLAIN");
            p.addPayload(hex("c6 " + huge + " 00 01 02"));
        }));
        // PUBLISH payload
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0).packArrayHeader(0);
            p.addPayload(hex("c6 " + huge + " 00 01 02"));
        }));
        // a bin header value in BIND arguments
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(6).packInt(16).packInt(1).packString("q").packString("x").packString("#");
            p.packMapHeader(1).packString("a");
            p.addPayload(hex("c6 " + huge + " 00"));
        }));
        // CLOSE reason
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(3).packInt(6).packInt(2009);
            p.addPayload(hex("db " + huge + " 61 62"));
        }));
        // HELLO capabilities, BIND arguments, QUEUE_LIST_OK entries
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(5).packInt(1).packInt(1).packInt(1).packString("c");
            p.addPayload(hex("dd " + huge + " a1 61"));
        }));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(6).packInt(16).packInt(1).packString("q").packString("x").packString("#");
            p.addPayload(hex("df " + huge + " a1 61 01"));
        }));
        assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> {
            p.packArrayHeader(3).packInt(21).packInt(1);
            p.addPayload(hex("dd " + huge + " 97"));
        }));
    }

    @Test
    void shouldFailWithUnknownFrameTypeWhenTypeIdIsNotDefined() {
        for (long id : new long[] {0, 22, 29, 56, 63, 64, 255, 1L << 40}) {
            DecodeFailure f = assertFails(SERVER, ErrorCode.UNKNOWN_FRAME_TYPE,
                    frame(p -> p.packArrayHeader(1).packLong(id)));
            assertThat(f.message()).contains(Long.toString(id));
            assertFails(CLIENT, ErrorCode.UNKNOWN_FRAME_TYPE, frame(p -> p.packArrayHeader(2).packLong(id).packInt(1)));
        }
    }

    @Test
    void shouldFailWithMalformedWhenTypeIdIsNotAnUnsignedInt() {
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(1).packInt(-5)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(1).packString("HEARTBEAT")));
    }

    @Test
    void shouldFailWithUnexpectedFrameWhenFrameComesFromTheWrongSide() {
        for (Vector v : TestVectors.all()) {
            if (!v.type().sentByClient()) {
                assertFails(SERVER, ErrorCode.UNEXPECTED_FRAME, v.bytes());
            }
            if (!v.type().sentByServer()) {
                assertFails(CLIENT, ErrorCode.UNEXPECTED_FRAME, v.bytes());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldFailWithMalformedWhenBytesFollowTheValueInsideTheBody(Vector v) {
        byte[] b = v.bytes();
        byte[] body = Arrays.copyOfRange(b, 4, b.length);
        for (byte[] extra : new byte[][] {hex("00"), hex("c0"), hex("93 01 02 03")}) {
            assertFails(Codec.receiverIsServer(v.type()), ErrorCode.MALFORMED_FRAME, frameBytes(concat(body, extra)));
        }
    }

    @Test
    void shouldFailWithMalformedWhenStringIsNotUtf8() {
        byte[] bad = hex("c3 28"); // invalid continuation
        byte[] surrogate = hex("ed a0 80"); // encoded UTF-16 surrogate, invalid in UTF-8
        byte[] overlong = hex("c0 af");
        for (byte[] s : new byte[][] {bad, surrogate, overlong, hex("ff"), hex("e2 82")}) {
            // CLOSE reason
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(3).packInt(6).packInt(2009).packRawStringHeader(s.length).writePayload(s);
            }));
            // HELLO capability
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(5).packInt(1).packInt(1).packInt(1).packString("c").packArrayHeader(1)
                        .packRawStringHeader(s.length).writePayload(s);
            }));
            // PUBLISH routing key, content type, header key, header value
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(7).packInt(30).packInt(0).packString("").packRawStringHeader(s.length).writePayload(s)
                        .packInt(0).packArrayHeader(0).packBinaryHeader(0);
            }));
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0)
                        .packArrayHeader(1).packRawStringHeader(s.length).writePayload(s).packBinaryHeader(0);
            }));
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0)
                        .packArrayHeader(7).packNil().packNil().packNil().packNil().packNil().packNil()
                        .packMapHeader(1).packRawStringHeader(s.length).writePayload(s).packInt(1).packBinaryHeader(0);
            }));
            assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(7).packInt(30).packInt(0).packString("").packString("k").packInt(0)
                        .packArrayHeader(7).packNil().packNil().packNil().packNil().packNil().packNil()
                        .packMapHeader(1).packString("h").packRawStringHeader(s.length).writePayload(s)
                        .packBinaryHeader(0);
            }));
            // EXCHANGE_LIST_OK entry name
            assertFails(CLIENT, ErrorCode.MALFORMED_FRAME, frame(p -> {
                p.packArrayHeader(3).packInt(19).packInt(1).packArrayHeader(1).packArrayHeader(5)
                        .packRawStringHeader(s.length).writePayload(s).packString("topic").packBoolean(true)
                        .packBoolean(false).packInt(0);
            }));
        }
    }

    @Test
    void shouldAcceptNonMinimalIntegerEncodingsWhenDecoding() {
        // ACK [38, tag 1 as uint64, multiple false]: any int encoding is accepted
        List<Object> out = Codec.decode(SERVER, hex("00 00 00 0c 93 26 cf 00 00 00 00 00 00 00 01 c2"));
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isEqualTo(new Ack(1, false));
    }

    // ---- payloads: zero copy and reference counts ----

    @ParameterizedTest
    @ValueSource(strings = {"30-publish", "30-publish-large_payload", "30-publish-extension"})
    void shouldSliceTheInputBufferWhenPayloadIsDecoded(String name) {
        byte[] bytes = TestVectors.get(name).bytes();
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(in);
        PayloadFrame f = ch.readInbound();
        ByteBuf payload = f.payload();
        // Same memory as the input: a derived buffer over the input's array, not a copy.
        assertThat(payload.unwrap()).isNotNull();
        assertThat(payload.hasArray()).isTrue();
        assertThat(payload.array()).isSameAs(bytes);
        assertThat(in.refCnt()).as("input retained by the payload only").isEqualTo(1);
        assertThat(f.refCnt()).isEqualTo(1);
        f.release();
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldShareDirectMemoryWhenPayloadIsDecodedFromDirectBuffer() {
        byte[] bytes = TestVectors.get("37-deliver-redelivered_large_payload").bytes();
        ByteBuf in = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(CLIENT));
        ch.writeInbound(in);
        PayloadFrame f = ch.readInbound();
        if (in.hasMemoryAddress()) {
            assertThat(f.payload().memoryAddress()).isEqualTo(in.memoryAddress() + bytes.length - 1000);
        }
        assertThat(f.payload().unwrap()).isNotNull();
        assertThat(in.refCnt()).isEqualTo(1);
        f.release();
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldRetainInputOncePerPayloadWhenSeveralPayloadFramesShareABuffer() {
        byte[] bytes = concat(TestVectors.get("30-publish").bytes(), TestVectors.get("38-ack").bytes(),
                TestVectors.get("30-publish-large_payload").bytes());
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(in);
        List<Object> out = Codec.drainInbound(ch);
        assertThat(out).hasSize(3);
        assertThat(in.refCnt()).isEqualTo(2);
        ReferenceCountUtil.release(out.get(0));
        assertThat(in.refCnt()).isEqualTo(1);
        ReferenceCountUtil.release(out.get(2));
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldReleaseInputWhenPayloadFrameHasTrailingBytes() {
        byte[] b = TestVectors.get("30-publish").bytes();
        ByteBuf in = Unpooled.wrappedBuffer(frameBytes(concat(Arrays.copyOfRange(b, 4, b.length), hex("00"))));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(in);
        assertThat(((DecodeFailure) ch.readInbound()).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldReleaseInputWhenFieldAfterPayloadIsBroken() {
        // PUBLISH with an extension field after the payload that is cut off (array16 header claiming 2 elements)
        byte[] b = TestVectors.get("30-publish").bytes();
        byte[] body = concat(Arrays.copyOfRange(b, 4, b.length), hex("dc 00 02 01"));
        body[0] = (byte) 0x98;
        ByteBuf in = Unpooled.wrappedBuffer(frameBytes(body));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(SERVER));
        ch.writeInbound(in);
        assertThat(((DecodeFailure) ch.readInbound()).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    // ---- garbage ----

    @Test
    void shouldNeverThrowAndFailAtMostOnceWhenInputIsRandom() {
        Random random = new Random(0x5eedL);
        List<Vector> vectors = TestVectors.all();
        for (int i = 0; i < 20_000; i++) {
            boolean side = random.nextBoolean();
            byte[] input = randomInput(random, vectors);
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(side));
            List<Object> out = new ArrayList<>();
            int pos = 0;
            try {
                while (pos < input.length) {
                    int n = 1 + random.nextInt(input.length - pos);
                    ch.writeInbound(Unpooled.wrappedBuffer(input, pos, n));
                    pos += n;
                    out.addAll(Codec.drainInbound(ch));
                }
                assertThat(ch.finish()).isFalse();
            } catch (RuntimeException | Error e) {
                throw new AssertionError("iteration " + i + ", server side " + side + ", input "
                        + TestVectors.toHex(input, 64), e);
            } finally {
                Codec.releaseAll(out);
            }
            long failures = out.stream().filter(o -> o instanceof DecodeFailure).count();
            assertThat(failures).as("iteration %d", i).isLessThanOrEqualTo(1);
            if (failures == 1) {
                assertThat(out.get(out.size() - 1)).isInstanceOf(DecodeFailure.class);
            }
            assertThat(out).allSatisfy(o -> assertThat(o).isInstanceOfAny(Frame.class, DecodeFailure.class));
        }
    }

    private static byte[] randomInput(Random random, List<Vector> vectors) {
        switch (random.nextInt(4)) {
            case 0: { // pure noise
                byte[] b = new byte[random.nextInt(40)];
                random.nextBytes(b);
                return b;
            }
            case 1: { // plausible length, noise body
                byte[] body = new byte[1 + random.nextInt(60)];
                random.nextBytes(body);
                if (random.nextBoolean()) {
                    body[0] = (byte) (0x90 | random.nextInt(16));
                    if (body.length > 1) {
                        body[1] = (byte) random.nextInt(42);
                    }
                }
                return frameBytes(body);
            }
            default: { // a few vectors with some bytes mutated
                byte[] b = concat(vectors.get(random.nextInt(vectors.size())).bytes(),
                        random.nextInt(3) == 0 ? vectors.get(random.nextInt(vectors.size())).bytes() : new byte[0]);
                int mutations = 1 + random.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    int at = random.nextInt(10) == 0 ? random.nextInt(b.length) : 4 + random.nextInt(b.length - 4);
                    b[at] = random.nextInt(4) == 0 ? (byte) (0xc0 + random.nextInt(64)) : (byte) random.nextInt(256);
                }
                return b;
            }
        }
    }

    @Test
    void shouldDecodeHeartbeatOnBothSidesWhenSentByEither() {
        for (boolean side : new boolean[] {SERVER, CLIENT}) {
            List<Object> out = Codec.decode(side, TestVectors.get("05-heartbeat").bytes());
            assertThat(out).containsExactly(Heartbeat.INSTANCE);
        }
    }

    @Test
    void shouldHoldOnlyTheBytesReceivedWhenAFrameDeclaresAGreatLength() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        FrameDecoder decoder = new FrameDecoder(SERVER, 16 << 20);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder);
        assertThat(decoder.partialBytes()).isZero();
        assertThat(decoder.partialLength()).isEqualTo(-1);

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x01, 0x00}));
        assertThat(decoder.partialBytes()).as("half a length prefix").isEqualTo(2);
        assertThat(decoder.partialLength()).as("length not known yet").isEqualTo(-1);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00, (byte) 0x9c}));
        assertThat(decoder.partialBytes()).isEqualTo(5);
        assertThat(decoder.partialLength()).isEqualTo(16 << 20);
        assertThat(alloc.metric().usedHeapMemory()).as("heap allocated for a 16 MiB frame of which 5 bytes came")
                .isLessThan(64 * 1024);

        byte[] chunk = new byte[256 * 1024];
        for (int i = 0; i < 8; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        assertThat(decoder.partialBytes()).isEqualTo(5 + 8 * chunk.length);
        assertThat(alloc.metric().usedHeapMemory()).as("heap allocated once 2 MiB of 16 came: grows with the bytes")
                .isLessThanOrEqualTo(2L * decoder.partialBytes());
        assertThat(ch.inboundMessages()).as("nothing decoded from an incomplete frame").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
        assertThat(decoder.partialBytes()).as("released with the channel").isZero();
    }

    @Test
    void shouldReportNoPartialFrameBetweenFrames() {
        FrameDecoder decoder = new FrameDecoder(SERVER);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] heartbeat = TestVectors.get("05-heartbeat").bytes();
        ch.writeInbound(Unpooled.wrappedBuffer(concat(heartbeat, Arrays.copyOf(heartbeat, 3))));
        assertThat(decoder.partialBytes()).as("3 bytes of the second heartbeat").isEqualTo(3);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(heartbeat, 3, heartbeat.length)));
        assertThat(decoder.partialBytes()).isZero();
        assertThat(decoder.partialLength()).isEqualTo(-1);
        Object first = ch.readInbound();
        Object second = ch.readInbound();
        assertThat(List.of(first, second)).containsExactly(Heartbeat.INSTANCE, Heartbeat.INSTANCE);
        assertThat(ch.finish()).isFalse();
    }
}
