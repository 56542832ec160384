package io.relais.protocol.codec;

import static io.relais.protocol.codec.FrameDecoderTest.assertFails;
import static io.relais.protocol.codec.FrameDecoderTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.Codec;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.TestVectors;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The map key rules of PROTOCOL.md section 1.3: any order accepted and kept, a repeated key refused. */
@ExtendWith(LeakCheck.class)
class MapKeysTest {
    private static final boolean SERVER = true;

    /** QUEUE_DECLARE of "q" whose arguments are the given keys, each with the value of its position. */
    private static byte[] queueDeclare(String... keys) {
        return frame(p -> {
            p.packArrayHeader(8).packInt(12).packInt(1).packString("q").packBoolean(false).packBoolean(false)
                    .packBoolean(false).packBoolean(false).packMapHeader(keys.length);
            for (int i = 0; i < keys.length; i++) {
                p.packString(keys[i]).packInt(i);
            }
        });
    }

    @Test
    void shouldKeepWireOrderWhenMapIsDecodedAndEncodedAgain() {
        byte[] bytes = queueDeclare("z", "a", "m", "b");
        List<Object> out = Codec.decode(SERVER, bytes);
        try {
            QueueDeclare q = (QueueDeclare) out.get(0);
            assertThat(q.arguments().keySet()).containsExactly("z", "a", "m", "b");
            assertThat(Codec.encode(q)).isEqualTo(bytes);
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldKeepHeaderOrderWhenPublishIsDecodedAndEncodedAgain() {
        byte[] bytes = TestVectors.get("30-publish-all_properties").bytes();
        List<Object> out = Codec.decode(SERVER, bytes);
        try {
            Publish p = (Publish) out.get(0);
            assertThat(p.properties().headers().keySet())
                    .containsExactly("nil", "yes", "no", "small", "neg", "u16", "i64", "pi", "str", "bin");
            assertThat(Codec.encode(p.retain())).isEqualTo(bytes);
        } finally {
            Codec.releaseAll(out);
        }
    }

    @Test
    void shouldAcceptMapsWithTheSameEntriesInAnotherOrderAsEqualWhenCompared() {
        List<Object> first = Codec.decode(SERVER, queueDeclare("a", "b"));
        List<Object> second = Codec.decode(SERVER, frame(p -> p.packArrayHeader(8).packInt(12).packInt(1)
                .packString("q").packBoolean(false).packBoolean(false).packBoolean(false).packBoolean(false)
                .packMapHeader(2).packString("b").packInt(1).packString("a").packInt(0)));
        assertThat(((QueueDeclare) second.get(0)).arguments()).isEqualTo(((QueueDeclare) first.get(0)).arguments());
    }

    @Test
    void shouldFailWithMalformedWhenArgumentKeyRepeats() {
        DecodeFailure f = assertFails(SERVER, ErrorCode.MALFORMED_FRAME, queueDeclare("a", "b", "a"));
        assertThat(f.message()).contains("'a'").contains("more than once");
    }

    @Test
    void shouldFailWithMalformedWhenKeyRepeatsWithTheSameValueOrWithNil() {
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(16).packInt(1)
                .packString("q").packString("x").packString("#").packMapHeader(2)
                .packString("k").packInt(1).packString("k").packInt(1)));
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(6).packInt(16).packInt(1)
                .packString("q").packString("x").packString("#").packMapHeader(2)
                .packString("k").packNil().packString("k").packNil()));
    }

    @Test
    void shouldFailWithMalformedWhenHeaderKeyRepeats() {
        assertFails(SERVER, ErrorCode.MALFORMED_FRAME, frame(p -> p.packArrayHeader(7).packInt(30).packInt(0)
                .packString("").packString("k").packInt(0).packArrayHeader(7).packNil().packNil().packNil()
                .packNil().packNil().packNil().packMapHeader(2).packString("h").packString("1")
                .packString("h").packString("2").packBinaryHeader(0)));
    }

    @Test
    void shouldKeepBothKeysWhenTheyDifferOnlyInCase() {
        List<Object> out = Codec.decode(SERVER, queueDeclare("a", "A"));
        assertThat(((QueueDeclare) out.get(0)).arguments()).containsOnlyKeys("a", "A");
    }
}
