package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 1.2 (framing and size limits), 1.3 (MessagePack types), 1.4 (properties) and 1.6
 * rule 1 (trailing fields), written as literal bytes the way a foreign client would: every
 * malformed body is 2001, every bad length prefix 2002, and what the document says a decoder MUST
 * accept is accepted.
 */
@DisplayName("1.2-1.4, 1.6 Framing, MessagePack types, properties")
class ConformanceFramingTest {
    /** The HELLO example of 4.1, length prefix included. */
    private static final String HELLO_EXAMPLE = "00 00 00 34 95 01 01 01 a4 64 65 6d 6f 94 a8 63 6f 6e 66 69 72 6d 73"
            + " a7 72 65 74 75 72 6e 73 aa 6d 61 6e 75 61 6c 2d 61 63 6b ad 73 65 72 76 65 72 2d 63 61 6e 63 65 6c";
    /** The first AUTH example of 4.3 (PLAIN guest/guest, heartbeat 0), length prefix included. */
    private static final String AUTH_EXAMPLE = "00 00 00 17 94 03 a5 50 4c 41 49 4e c4 0c 00 67 75 65 73 74 00 67 75 65"
            + " 73 74 00";
    /** PUBLISH seq 1 to the default exchange, key "k", no flags: the parts before and after the properties. */
    private static final String PUBLISH_HEAD = "97 1e 01 a0 a1 6b 00";
    private static final String PAYLOAD_X = "c4 01 78";

    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private Peer peer;

    /** A literal frame and the section that makes it malformed. */
    private record Literal(String name, byte[] frame) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Literal body(String name, String bodyHex) {
        return new Literal(name, Bytes.frame(bodyHex));
    }

    /** A PUBLISH whose properties are {@code propertiesHex} (seq 1, default exchange, key "k", payload "x"). */
    private static Literal publishWith(String name, String propertiesHex) {
        return body(name, PUBLISH_HEAD + " " + propertiesHex + " " + PAYLOAD_X);
    }

    // ------------------------------------------------------------------------------- 1.2 framing

    @Test
    @DisplayName("1.2, 4.1, 4.3: the HELLO and AUTH examples, as literal bytes, are answered by WELCOME and READY")
    void shouldAnswerTheSpecExamples() throws IOException {
        peer = BROKER.connect();
        peer.sendBytes(Bytes.hex(HELLO_EXAMPLE));
        Welcome welcome = peer.expect(Welcome.class);
        assertThat(welcome.version()).isEqualTo(1);
        peer.sendBytes(Bytes.hex(AUTH_EXAMPLE));
        peer.expect(Ready.class);
    }

    @Test
    @DisplayName("1.2: two frames in one TCP segment are both processed, in order")
    void shouldProcessFramesSharingAWrite() throws IOException {
        peer = BROKER.connect();
        peer.sendBytes(Bytes.concat(Bytes.hex(HELLO_EXAMPLE), Bytes.hex(AUTH_EXAMPLE)));
        peer.expect(Welcome.class);
        peer.expect(Ready.class);
    }

    @Test
    @DisplayName("1.2: a frame that arrives one byte at a time is reassembled")
    void shouldReassembleAFrameSentByteByByte() throws IOException {
        peer = BROKER.connect();
        for (byte b : Bytes.hex(HELLO_EXAMPLE)) {
            peer.sendBytes(new byte[] {b});
        }
        peer.expect(Welcome.class);
    }

    @Test
    @DisplayName("1.2: before READY a body of exactly 65536 bytes is accepted")
    void shouldAcceptHandshakeFrameAtTheLimit() throws IOException {
        byte[] frame = helloOfSize(ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE);
        peer = BROKER.connect();
        peer.sendBytes(frame);
        peer.expect(Welcome.class);
    }

    @Test
    @DisplayName("1.2, 4.1: before READY a body of 65537 bytes is ERROR(0, 2002), close")
    void shouldRefuseHandshakeFrameAboveTheLimit() throws IOException {
        peer = BROKER.connect();
        peer.sendBytes(helloOfSize(ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE + 1));
        peer.expectFatal(ErrorCode.FRAME_TOO_LARGE);
    }

    /** A HELLO whose body is exactly {@code bodyBytes} long, padded with its client name; with its prefix. */
    private static byte[] helloOfSize(int bodyBytes) {
        int nameBytes = bodyBytes - 8; // 95 01 01 01, str 16 header (3 bytes), 90
        byte[] frame = Bytes.frame(Bytes.concat(Bytes.hex("95 01 01 01"), Bytes.str(Bytes.name(nameBytes)),
                Bytes.hex("90")));
        assertThat(frame).hasSize(4 + bodyBytes);
        return frame;
    }

    /** A length prefix the server must refuse, sent alone, in a given state. */
    private record Prefix(String name, FrameSamples.Connect state, String hex) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TestFactory
    @DisplayName("1.2, 9.1: a length prefix of 0 or above the limit is ERROR(0, 2002), close, without waiting for a "
            + "body")
    Stream<DynamicTest> shouldRefuseBadLengthPrefixes() {
        List<Prefix> rows = List.of(
                new Prefix("AWAIT_HELLO, 65537 (above 65536 before READY)", BROKER::connect, "00 01 00 01"),
                new Prefix("AWAIT_AUTH, 65537 (above 65536 before READY)", BROKER::awaitingAuth, "00 01 00 01"),
                new Prefix("AWAIT_HELLO, 0", BROKER::connect, "00 00 00 00"),
                new Prefix("OPEN, 0", BROKER::open, "00 00 00 00"),
                new Prefix("OPEN, max_frame_size + 1", BROKER::open, "01 00 00 01"),
                new Prefix("OPEN, 2^32 - 1 (the prefix is unsigned)", BROKER::open, "ff ff ff ff"));
        return FrameSamples.rows(rows, "1.2 length prefix in", "ERROR(0, 2002), close", r -> {
            try (Peer p = r.state().connect()) {
                p.sendBytes(Bytes.hex(r.hex()));
                p.expectFatal(ErrorCode.FRAME_TOO_LARGE);
            }
        });
    }

    @Test
    @DisplayName("1.2, 3.3 step 6: after READY a frame above 65536 bytes is accepted")
    void shouldRaiseTheLimitAfterReady() throws IOException {
        peer = BROKER.open();
        peer.send(Peer.publish(1, "", "framing.big", "x".repeat(100_000)));
        assertThat(peer.expect(Confirm.class).ack()).isTrue();
    }

    @Test
    @DisplayName("1.2, 4.2: after READY a body of exactly WELCOME.max_frame_size (16777216) bytes is accepted")
    void shouldAcceptAFrameOfMaxFrameSize() throws IOException {
        int max = ProtocolVersion.DEFAULT_MAX_FRAME_SIZE;
        byte[] head = Bytes.hex(PUBLISH_HEAD + " 90 c6"); // properties [], then a bin 32 header
        ByteBuffer frame = ByteBuffer.allocate(4 + max).putInt(max).put(head).putInt(max - head.length - 4);
        peer = BROKER.open();
        peer.sendBytes(frame.array());
        assertThat(peer.expect(Confirm.class).ack()).isTrue();
    }

    // ------------------------------------------------------------------ malformed bodies: 2001

    @TestFactory
    @DisplayName("1.2, 1.3, 9.1: malformed bodies in AWAIT_HELLO are ERROR(0, 2001), close")
    Stream<DynamicTest> malformedInAwaitHello() {
        List<Literal> rows = List.of(
                body("body is a fixint, not an array", "01"),
                body("body is a map", "80"),
                body("body is nil", "c0"),
                body("body is the never-used byte c1", "c1"),
                body("body is an empty array", "90"),
                body("type id is a str", "91 a1 01"),
                body("type id is negative", "91 ff"),
                body("type id is nil", "91 c0"),
                body("HELLO without its capabilities field", "94 01 01 01 a4 64 65 6d 6f"),
                body("HELLO array claims 5 elements, body ends after 2", "95 01 01"),
                body("HELLO str claims 9 bytes, body ends after 2", "95 01 01 01 a9 64 65"),
                body("HELLO client_name nil", "95 01 01 01 c0 90"),
                body("HELLO min_version a str", "95 01 a1 31 01 a4 64 65 6d 6f 90"),
                body("HELLO min_version a float", "95 01 cb 3f f0 00 00 00 00 00 00 01 a4 64 65 6d 6f 90"),
                body("HELLO min_version negative", "95 01 ff 01 a4 64 65 6d 6f 90"),
                body("HELLO max_version a uint 64 above 2^63-1",
                        "95 01 01 cf ff ff ff ff ff ff ff ff a4 64 65 6d 6f 90"),
                body("HELLO min_version a bool", "95 01 c3 01 a4 64 65 6d 6f 90"),
                body("HELLO client_name a bin (str and bin are distinct)", "95 01 01 01 c4 04 64 65 6d 6f 90"),
                body("HELLO client_name invalid UTF-8", "95 01 01 01 a2 c3 28 90"),
                body("HELLO capabilities holds an int", "95 01 01 01 a4 64 65 6d 6f 91 01"),
                body("HELLO capabilities holds a bin", "95 01 01 01 a4 64 65 6d 6f 91 c4 01 61"),
                body("HELLO capabilities is a str", "95 01 01 01 a4 64 65 6d 6f a1 61"),
                body("HELLO followed by a byte inside the body", "95 01 01 01 a4 64 65 6d 6f 90 00"),
                body("HELLO followed by a second array inside the body", "95 01 01 01 a4 64 65 6d 6f 90 91 05"));
        return FrameSamples.rows(rows, "AWAIT_HELLO", "ERROR(0, 2001), close", r -> {
            try (Peer p = BROKER.connect()) {
                p.sendBytes(r.frame());
                p.expectFatal(ErrorCode.MALFORMED_FRAME);
            }
        });
    }

    @TestFactory
    @DisplayName("1.3, 9.1: malformed AUTH bodies in AWAIT_AUTH are ERROR(0, 2001), close")
    Stream<DynamicTest> malformedInAwaitAuth() {
        List<Literal> rows = List.of(
                body("AUTH response a str (str and bin are distinct)",
                        "94 03 a5 50 4c 41 49 4e ac 00 67 75 65 73 74 00 67 75 65 73 74 00"),
                body("AUTH mechanism a bin", "94 03 c4 05 50 4c 41 49 4e c4 0c 00 67 75 65 73 74 00 67 75 65 73 74 00"),
                body("AUTH heartbeat_millis negative",
                        "94 03 a5 50 4c 41 49 4e c4 0c 00 67 75 65 73 74 00 67 75 65 73 74 ff"),
                body("AUTH without heartbeat_millis",
                        "93 03 a5 50 4c 41 49 4e c4 0c 00 67 75 65 73 74 00 67 75 65 73 74"));
        return FrameSamples.rows(rows, "AWAIT_AUTH", "ERROR(0, 2001), close", r -> {
            try (Peer p = BROKER.awaitingAuth()) {
                p.sendBytes(r.frame());
                p.expectFatal(ErrorCode.MALFORMED_FRAME);
            }
        });
    }

    @TestFactory
    @DisplayName("1.3, 1.4, 9.1: malformed bodies in OPEN are ERROR(0, 2001), close")
    Stream<DynamicTest> malformedInOpen() {
        List<Literal> rows = List.of(
                body("PUBLISH flags a uint 32 above 2^31-1 (uint31)", "97 1e 01 a0 a1 6b ce 80 00 00 00 90 c4 01 78"),
                body("PUBLISH flags negative", "97 1e 01 a0 a1 6b ff 90 c4 01 78"),
                body("PUBLISH seq a bool", "97 1e c3 a0 a1 6b 00 90 c4 01 78"),
                body("PUBLISH exchange a bin", "97 1e 01 c4 00 a1 6b 00 90 c4 01 78"),
                body("PUBLISH routing_key invalid UTF-8", "97 1e 01 a0 a2 c3 28 00 90 c4 01 78"),
                body("PUBLISH payload a str", "97 1e 01 a0 a1 6b 00 90 a1 78"),
                body("PUBLISH payload nil", "97 1e 01 a0 a1 6b 00 90 c0"),
                body("PUBLISH without payload", "96 1e 01 a0 a1 6b 00 90"),
                body("PUBLISH bin claims 9 bytes, body ends after 1", "97 1e 01 a0 a1 6b 00 90 c4 09 78"),
                publishWith("PUBLISH properties nil", "c0"),
                publishWith("PUBLISH properties a map", "80"),
                publishWith("PUBLISH content_type an int", "91 01"),
                publishWith("PUBLISH message_id a bin", "92 c0 c4 01 61"),
                publishWith("PUBLISH timestamp a str", "95 c0 c0 c0 c0 a1 31"),
                publishWith("PUBLISH expiration negative", "96 c0 c0 c0 c0 c0 ff"),
                publishWith("PUBLISH expiration a uint 64 above 2^63-1",
                        "96 c0 c0 c0 c0 c0 cf ff ff ff ff ff ff ff ff"),
                publishWith("PUBLISH headers an array", "97 c0 c0 c0 c0 c0 c0 90"),
                publishWith("PUBLISH header value an array", "97 c0 c0 c0 c0 c0 c0 81 a1 61 91 01"),
                publishWith("PUBLISH header value a map", "97 c0 c0 c0 c0 c0 c0 81 a1 61 80"),
                publishWith("PUBLISH header key an int", "97 c0 c0 c0 c0 c0 c0 81 01 01"),
                publishWith("PUBLISH header key a bin", "97 c0 c0 c0 c0 c0 c0 81 c4 01 61 01"),
                body("EXCHANGE_DECLARE durable an int (an integer is not a bool)",
                        "98 0a 01 a2 65 76 a5 74 6f 70 69 63 00 c2 c2 80"),
                body("QUEUE_DECLARE arguments nil", "98 0c 01 a1 71 c2 c2 c2 c2 c0"),
                body("QUEUE_DECLARE argument value a map", "98 0c 01 a1 71 c2 c2 c2 c2 81 a1 61 80"),
                body("EXCHANGE_LIST request_id negative", "92 12 ff"),
                body("EXCHANGE_LIST followed by a byte inside the body", "92 12 01 00"),
                body("ACK delivery_tag a str", "93 26 a1 31 c2"),
                body("CLOSE code a uint 32 above 2^31-1 (uint31)", "93 06 ce 80 00 00 00 a0"));
        return FrameSamples.rows(rows, "OPEN", "ERROR(0, 2001), close", r -> {
            try (Peer p = BROKER.open()) {
                p.sendBytes(r.frame());
                p.expectFatal(ErrorCode.MALFORMED_FRAME);
            }
        });
    }

    // -------------------------------------------------------------- what decoders MUST accept

    @Test
    @DisplayName("1.3: integers in a longer format than needed, and signed formats holding non-negative values, are "
            + "uints")
    void shouldAcceptAnyIntegerFormat() throws IOException {
        peer = BROKER.connect();
        // type id 1 as uint 8, min_version 1 as uint 32, max_version 1 as int 8, capabilities empty
        peer.sendBytes(Bytes.frame("95 cc 01 ce 00 00 00 01 d0 01 a4 64 65 6d 6f 90"));
        assertThat(peer.expect(Welcome.class).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("1.6 rule 1, 10: a field after the known ones is skipped (HELLO with a sixth element)")
    void shouldSkipTrailingFieldsOfHello() throws IOException {
        peer = BROKER.connect();
        peer.sendBytes(Bytes.frame("96 01 01 01 a4 64 65 6d 6f 90 81 a1 78 c3"));
        peer.expect(Welcome.class);
    }

    @Test
    @DisplayName("1.6 rule 1, 10: fields after the known ones are skipped (EXCHANGE_LIST and PUBLISH with extras)")
    void shouldSkipTrailingFieldsWhenOpen() throws IOException {
        peer = BROKER.open();
        peer.sendBytes(Bytes.frame("94 12 07 a3 6e 65 77 92 01 02"));
        assertThat(peer.expect(ExchangeListOk.class).requestId()).isEqualTo(7);
        peer.sendBytes(Bytes.frame("98 1e 01 a0 a1 6b 00 90 c4 01 78 c3"));
        Confirm c = peer.expect(Confirm.class);
        assertThat(c.seq()).isEqualTo(1);
        assertThat(c.ack()).isTrue();
    }

    @Test
    @DisplayName("1.4: properties shorter than 7 are accepted, elements after the seventh skipped, both delivered as "
            + "published")
    void shouldAcceptShortAndLongProperties() throws IOException {
        peer = BROKER.open();
        peer.call(id -> new Subscribe(id, 1, "", "", "framing.props", 0, false, false), SubscribeOk.class);
        // seq 1: only message_id "m1"; seq 2: content_type "t", then seven more elements, the eighth unknown
        peer.sendBytes(Bytes.frame("97 1e 01 a0 ad 66 72 61 6d 69 6e 67 2e 70 72 6f 70 73 00 92 c0 a2 6d 31 c4 01 31"));
        peer.sendBytes(Bytes.frame("97 1e 02 a0 ad 66 72 61 6d 69 6e 67 2e 70 72 6f 70 73 00"
                + " 98 a1 74 c0 c0 c0 ff c0 c0 a5 6c 61 74 65 72 c4 01 32"));
        ConfirmLedger ledger = new ConfirmLedger();
        ledger.published(1);
        ledger.published(2);
        List<Frame> frames = new ArrayList<>();
        while (!ledger.done() || Peer.all(frames, Deliver.class).size() < 2) {
            Frame f = peer.read();
            frames.add(f);
            if (f instanceof Confirm c) {
                ledger.confirmed(c);
            }
        }
        assertThat(ledger.acked(1)).isTrue();
        assertThat(ledger.acked(2)).isTrue();
        List<Deliver> delivers = Peer.all(frames, Deliver.class);
        assertThat(delivers.get(0).properties().messageId()).isEqualTo("m1");
        assertThat(delivers.get(1).properties().contentType()).isEqualTo("t");
        assertThat(delivers.get(1).properties().timestamp()).as("a negative timestamp is allowed").isEqualTo(-1L);
    }

    @Test
    @DisplayName("1.3: a map key that repeats is a malformed frame: ERROR(0, 2001) and close (QUEUE_DECLARE arguments)")
    void shouldCloseWithMalformedFrameWhenAMapKeyRepeats() throws IOException {
        peer = BROKER.open();
        // arguments {"max-length": 1, "max-length": 2}
        peer.sendBytes(Bytes.frame("98 0c 01 ae 66 72 61 6d 69 6e 67 2e 72 65 70 65 61 74 c2 c2 c2 c2"
                + " 82 aa 6d 61 78 2d 6c 65 6e 67 74 68 01 aa 6d 61 78 2d 6c 65 6e 67 74 68 02"));
        peer.expectFatal(ErrorCode.MALFORMED_FRAME);
    }
}
