package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StaticFilesTest {
    @Test
    void shouldNameTheContentTypeOfCommonFiles() {
        assertThat(StaticFiles.contentType("index.html")).isEqualTo("text/html; charset=utf-8");
        assertThat(StaticFiles.contentType("app.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(StaticFiles.contentType("a/b.CSS")).isEqualTo("text/css; charset=utf-8");
        assertThat(StaticFiles.contentType("logo.svg")).isEqualTo("image/svg+xml");
        assertThat(StaticFiles.contentType("font.woff2")).isEqualTo("font/woff2");
        assertThat(StaticFiles.contentType("uPlot.min.css.map")).startsWith("application/json");
        assertThat(StaticFiles.contentType("LICENSE")).isEqualTo("application/octet-stream");
    }

    @Test
    void shouldTellUtf8FromBinaryPayloads() {
        assertThat(MessageEndpoints.utf8("héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo");
        assertThat(MessageEndpoints.utf8(new byte[] {(byte) 0xff, 0x00})).isNull();
    }
}
