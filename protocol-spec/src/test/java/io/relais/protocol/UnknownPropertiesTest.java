package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The value class that keeps the properties of later protocol versions. */
class UnknownPropertiesTest {
    private static final byte[] FUTURE = TestVectors.parseHex("a6 66 75 74 75 72 65");

    @Test
    void shouldBeNoneWhenCountIsZero() {
        assertThat(UnknownProperties.of(0, new byte[0])).isSameAs(UnknownProperties.NONE);
        assertThat(UnknownProperties.NONE.isEmpty()).isTrue();
        assertThat(UnknownProperties.NONE.encodedLength()).isZero();
        assertThat(UnknownProperties.NONE).hasToString("none");
    }

    @Test
    void shouldCopyBytesInAndOutWhenCreated() {
        byte[] bytes = FUTURE.clone();
        UnknownProperties u = UnknownProperties.of(1, bytes);
        bytes[1] = 0;
        byte[] out = u.encoded();
        assertThat(out).isEqualTo(FUTURE);
        out[1] = 0;
        assertThat(u.encoded()).isEqualTo(FUTURE);
        assertThat(u.count()).isEqualTo(1);
        assertThat(u.encodedLength()).isEqualTo(FUTURE.length);
        assertThat(u.toString()).startsWith("1 value: a6 66");
    }

    @Test
    void shouldBeEqualWhenCountAndBytesAreEqual() {
        assertThat(UnknownProperties.of(1, FUTURE)).isEqualTo(UnknownProperties.of(1, FUTURE.clone()))
                .hasSameHashCodeAs(UnknownProperties.of(1, FUTURE.clone()))
                .isNotEqualTo(UnknownProperties.of(2, TestVectors.parseHex("c0 01")));
    }

    @Test
    void shouldKeepInnerNilAndNonShortestEncodingWhenCreated() {
        byte[] bytes = TestVectors.parseHex("c0 92 01 a1 78 cd 00 05");
        assertThat(UnknownProperties.of(3, bytes).encoded()).isEqualTo(bytes);
    }

    @Test
    void shouldRefuseBytesWhenTheyHoldAnotherNumberOfValues() {
        assertThatThrownBy(() -> UnknownProperties.of(2, FUTURE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnknownProperties.of(1, TestVectors.parseHex("01 02")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnknownProperties.of(0, FUTURE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnknownProperties.of(-1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseBytesWhenTheyAreNotWellFormedMessagePack() {
        assertThatThrownBy(() -> UnknownProperties.of(1, TestVectors.parseHex("c1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnknownProperties.of(1, TestVectors.parseHex("a6 66 75")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseBytesWhenLastValueIsNil() {
        assertThatThrownBy(() -> UnknownProperties.of(2, TestVectors.parseHex("01 c0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nil");
    }

    @Test
    void shouldKeepUnknownPropertiesWhenKnownOnesAreChangedWithBuilder() {
        UnknownProperties u = UnknownProperties.of(1, FUTURE);
        Properties p = Properties.builder().expiration(5L).unknown(u).build();
        Properties changed = p.toBuilder().expiration(null).contentType("text/plain").build();
        assertThat(changed.unknown()).isEqualTo(u);
        assertThat(changed.presentFields()).isEqualTo(Properties.V1_FIELDS + 1);
        assertThat(changed.isEmpty()).isFalse();
        assertThat(Properties.builder().unknown(u).build().isEmpty()).isFalse();
    }

    @Test
    void shouldTakeNullAsNoneWhenPropertiesAreBuilt() {
        Properties p = new Properties(null, null, null, null, null, null, null, null);
        assertThat(p.unknown()).isSameAs(UnknownProperties.NONE);
        assertThat(p).isEqualTo(Properties.EMPTY);
        assertThat(new Properties("a", null, null, null, null, null, null).unknown()).isSameAs(UnknownProperties.NONE);
    }
}
