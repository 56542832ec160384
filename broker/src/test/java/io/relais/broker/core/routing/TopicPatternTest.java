package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void shouldAcceptPatternsWhenWildcardsAreWholeWords() {
        assertThat(TopicPattern.validatePattern("")).isNull();
        assertThat(TopicPattern.validatePattern("#")).isNull();
        assertThat(TopicPattern.validatePattern("*")).isNull();
        assertThat(TopicPattern.validatePattern("a.*.#.b")).isNull();
        assertThat(TopicPattern.validatePattern("a..b.")).isNull();
        assertThat(TopicPattern.validatePattern(".#.")).isNull();
        assertThat(TopicPattern.validatePattern("héllo.wörld")).isNull();
    }

    @Test
    void shouldRejectPatternWhenWildcardIsPartOfAWord() {
        assertThat(TopicPattern.validatePattern("a*.b"))
                .isEqualTo("bad pattern 'a*.b': '*' and '#' must be whole words");
        assertThat(TopicPattern.validatePattern("a.#b"))
                .isEqualTo("bad pattern 'a.#b': '*' and '#' must be whole words");
        assertThat(TopicPattern.validatePattern("**")).contains("must be whole words");
        assertThat(TopicPattern.validatePattern("a.##")).contains("must be whole words");
        assertThat(TopicPattern.validatePattern("*#")).contains("must be whole words");
    }

    @Test
    void shouldRejectWhenLongerThan255Utf8Bytes() {
        assertThat(TopicPattern.validatePattern("a".repeat(255))).isNull();
        assertThat(TopicPattern.validatePattern("a".repeat(256)))
                .startsWith("bad pattern 'aaaa").endsWith("...': longer than 255 bytes in UTF-8");
        // 128 two-byte characters = 256 bytes although only 128 chars
        assertThat(TopicPattern.validatePattern("é".repeat(128))).contains("longer than 255 bytes");
        assertThat(TopicPattern.validateRoutingKey("é".repeat(127))).isNull();
        assertThat(TopicPattern.validateRoutingKey("é".repeat(128))).contains("longer than 255 bytes");
        // 64 four-byte code points = 256 bytes
        assertThat(TopicPattern.validateRoutingKey("\uD83D\uDE00".repeat(63))).isNull();
        assertThat(TopicPattern.validateRoutingKey("\uD83D\uDE00".repeat(64))).isNotNull();
        assertThat(TopicPattern.validateRoutingKey("x".repeat(100_000))).isNotNull();
    }

    @Test
    void shouldRejectRoutingKeyWhenItContainsWildcards() {
        assertThat(TopicPattern.validateRoutingKey("a.*"))
                .isEqualTo("bad routing key 'a.*': a routing key may not contain '*' or '#'");
        assertThat(TopicPattern.validateRoutingKey("a#b")).contains("may not contain '*' or '#'");
        assertThat(TopicPattern.validateRoutingKey("")).isNull();
        assertThat(TopicPattern.validateRoutingKey("a..b.")).isNull();
    }

    @Test
    void shouldReportMissingWhenNull() {
        assertThat(TopicPattern.validatePattern(null)).isEqualTo("bad pattern: missing");
        assertThat(TopicPattern.validateRoutingKey(null)).isEqualTo("bad routing key: missing");
    }
}
