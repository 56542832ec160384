package io.relais.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void escapesControlCharactersQuotesAndBackslashes() {
        assertThat(LogText.escape("a\r\nb\t\"c\"\\\u0001\u2028")).isEqualTo("a\\r\\nb\\t\\\"c\\\"\\\\\\u0001\\u2028");
    }

    @Test
    void leavesPlainTextAlone() {
        String plain = "orders.eu-west/1 é";
        assertThat(LogText.escape(plain)).isSameAs(plain);
        assertThat(LogText.escape(null)).isEqualTo("null");
    }
}
