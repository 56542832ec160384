package io.relais.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {
    @Test
    void shouldReadLinksFromTheBridgeSection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("relais.yaml");
        Files.writeString(file, """
                server: {port: 7420}
                bridge:
                  amqp: amqp://guest:guest@rabbit:5672
                  links:
                    - name: orders-out
                      direction: to-rabbitmq
                      source: {exchange: "", pattern: "orders.#"}
                      destination: {exchange: amq.topic, routing-key: "prefix:relais."}
                      prefetch: 200
                      batch: 50
                    - name: alerts-in
                      direction: from-rabbitmq
                      source: {queue: alerts}
                      delivery: at-most-once
                      durable: false
                """);
        BridgeConfig c = BridgeConfig.load(file);
        assertThat(c.amqpUri()).isEqualTo("amqp://guest:guest@rabbit:5672");
        LinkConfig out = c.links().get(0);
        assertThat(out.direction()).isEqualTo(Direction.TO_RABBITMQ);
        assertThat(out.sourcePattern()).isEqualTo("orders.#");
        assertThat(out.routingKey().apply("orders.eu")).isEqualTo("relais.orders.eu");
        assertThat(out.prefetch()).isEqualTo(200);
        assertThat(out.batch()).isEqualTo(50);
        assertThat(out.durable()).isTrue();
        assertThat(out.atLeastOnce()).isTrue();
        LinkConfig in = c.links().get(1);
        assertThat(in.sourceQueue()).isEqualTo("alerts");
        assertThat(in.destinationExchange()).isEmpty();
        assertThat(in.atLeastOnce()).isFalse();
        assertThat(in.durable()).isFalse();
        assertThat(KeyMapping.parse("rewrite:all.orders").apply("x.y")).isEqualTo("all.orders");
    }

    @Test
    void shouldHaveNoBridgeWhenTheFileHasNoSection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("relais.yaml");
        Files.writeString(file, "server: {port: 7420}\n");
        assertThat(BridgeConfig.load(file)).isNull();
    }

    @Test
    void shouldNameTheKeyWhenALinkIsWrong() {
        assertThatThrownBy(() -> BridgeConfig.fromMap(Map.of("links", List.of(Map.of(
                "name", "x", "direction", "sideways", "source", Map.of("exchange", "", "pattern", "a")))),
                "f.yaml")).hasMessageContaining("f.yaml: bridge.links[0].direction");
        assertThatThrownBy(() -> BridgeConfig.fromMap(Map.of("links", List.of(Map.of(
                "name", "x", "direction", "to-rabbitmq", "source", Map.of("exchange", "", "patern", "a")))),
                "f.yaml")).hasMessageContaining("bridge.links[0].source: unknown key 'patern'");
        assertThatThrownBy(() -> BridgeConfig.fromMap(Map.of("links", List.of(Map.of(
                "name", "x", "direction", "to-rabbitmq", "source", Map.of("exchange", "", "pattern", "a"),
                "prefetch", 10, "batch", 20))), "f.yaml")).hasMessageContaining("batch <= prefetch");
        assertThatThrownBy(() -> BridgeConfig.fromMap(Map.of("links", List.of(Map.of(
                "name", "x", "direction", "to-rabbitmq", "source", Map.of("exchange", "", "pattern", "a"),
                "destination", Map.of("routing-key", "upper")))), "f.yaml"))
                .hasMessageContaining("bridge.links[0].destination.routing-key");
    }
}
