package io.relais.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TextSinkTest {
    private static String written(ThrowingWrite w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextSink sink = new TextSink(out);
        w.write(sink);
        sink.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingWrite {
        void write(TextSink sink) throws IOException;
    }

    @Test
    void shouldWriteNumbersInDecimalWhateverTheirSign() throws IOException {
        assertThat(written(s -> s.number(0).ch(' ').number(7).ch(' ').number(-42).ch(' ').number(Long.MAX_VALUE)
                .ch(' ').number(Long.MIN_VALUE)))
                .isEqualTo("0 7 -42 9223372036854775807 -9223372036854775808");
    }

    @Test
    void shouldEscapeBackslashQuoteAndLineFeedInLabelValuesAndKeepUtf8() {
        assertThat(new String(TextSink.labelValue("a\\b\"c\nd"), StandardCharsets.UTF_8)).isEqualTo("a\\\\b\\\"c\\nd");
        assertThat(TextSink.labelValue("file-é")).isEqualTo("file-é".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteMoreThanOneChunkInOrder() throws IOException {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        byte[] big = new byte[TextSink.CHUNK + 10];
        Arrays.fill(big, (byte) 'x');
        String text = written(s -> {
            for (int i = 0; i < 20_000; i++) {
                s.ascii("line ").number(i).ch('\n');
            }
            s.bytes(big);
        });
        assertThat(text).isEqualTo(expected + "x".repeat(big.length));
    }
}
