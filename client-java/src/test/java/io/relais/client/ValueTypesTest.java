package io.relais.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void shouldParseWireAndEnumNamesWhenParsingExchangeType() {
        assertThat(ExchangeType.parse("topic")).isEqualTo(ExchangeType.TOPIC);
        assertThat(ExchangeType.parse("FANOUT")).isEqualTo(ExchangeType.FANOUT);
        assertThat(ExchangeType.DIRECT.wireName()).isEqualTo("direct");
        assertThatThrownBy(() -> ExchangeType.parse("headers")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldLeaveOriginalUnchangedWhenDerivingQueueDeclaration() {
        QueueDeclaration base = QueueDeclaration.named("q");
        QueueDeclaration derived = base.durable(true).exclusive(true).argument("max-length", 10);

        assertThat(base.durable()).isFalse();
        assertThat(base.arguments()).isEmpty();
        assertThat(derived.durable()).isTrue();
        assertThat(derived.exclusive()).isTrue();
        assertThat(derived.arguments()).containsEntry("max-length", 10);
        assertThat(QueueDeclaration.serverNamed().name()).isEmpty();
        assertThatThrownBy(() -> QueueDeclaration.named("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldUseDefaultsWhenBuildingMessage() {
        Message m = Message.builder("k").payload("é").build();

        assertThat(m.exchange()).isEmpty();
        assertThat(m.payload()).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
        assertThat(m.persistent()).isFalse();
        assertThat(m.mandatory()).isFalse();
        assertThat(Message.of("k", new byte[] {1}).properties().isEmpty()).isTrue();
    }

    @Test
    void shouldDefaultToServerPrefetchAndAutoAckWhenUsingDefaultOptions() {
        SubscribeOptions o = SubscribeOptions.defaults();
        assertThat(o.prefetch()).isZero();
        assertThat(o.manualAck()).isFalse();
        assertThat(o.exclusive()).isFalse();
        assertThat(o.manualAck(true).prefetch(10).prefetch()).isEqualTo(10);
        assertThat(o.manualAck()).isFalse();
    }

    @Test
    void shouldCarryRawCodeWhenCodeIsUnknown() {
        RelaisException e = new RelaisException(1999, "newer broker");
        assertThat(e.code()).isNull();
        assertThat(e.rawCode()).isEqualTo(1999);
        assertThat(new RelaisException(null, "x").rawCode()).isZero();
    }

    @Test
    void shouldRejectBadServerAddressWhenConfiguringBuilder() {
        assertThatThrownBy(() -> RelaisClient.builder().server("host:port")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RelaisClient.builder().server("host:0")).isInstanceOf(IllegalArgumentException.class);
        RelaisClient.builder().server("[::1]:7420").server("example.org").server("example.org:1234");
    }
}
