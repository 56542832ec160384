package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DirectAndFanoutTableTest {

    @Test
    void shouldRouteByExactKeyWhenExchangeIsDirect() {
        DirectTable<String> t = DirectTable.<String>empty()
                .with("orange", "Q1").with("black", "Q2").with("green", "Q2").with("orange", "Q3")
                .with("a.*", "Q4");

        assertThat(t.size()).isEqualTo(5);
        assertThat(t.match("orange")).containsExactlyInAnyOrder("Q1", "Q3");
        assertThat(t.match("black")).containsExactly("Q2");
        assertThat(t.match("a.*")).containsExactly("Q4"); // no wildcards in direct exchanges
        assertThat(t.match("a.b")).isEmpty();
        assertThat(t.match("")).isEmpty();
        assertThat(t.contains("green", "Q2")).isTrue();
        assertThat(t.contains("green", "Q1")).isFalse();
    }

    @Test
    void shouldUnbindWhenDirectBindingsAreRemoved() {
        DirectTable<String> t = DirectTable.<String>empty()
                .with("orange", "Q1").with("black", "Q1").with("orange", "Q2");

        assertThat(t.without("orange", "Q1").match("orange")).containsExactly("Q2");
        assertThat(t.without("orange", "Q1").match("black")).containsExactly("Q1");
        assertThat(t.withoutTarget("Q1").match("black")).isEmpty();
        assertThat(t.withoutTarget("Q1").size()).isEqualTo(1);
        assertThat(t.without("orange", "Q1").without("orange", "Q2").match("orange")).isEmpty();
        assertThat(t.without("black", "Q2")).isSameAs(t);
        assertThat(t.withoutTarget("Q9")).isSameAs(t);
        assertThat(t.with("black", "Q1")).isSameAs(t);
        assertThat(t.match("orange")).containsExactlyInAnyOrder("Q1", "Q2"); // unchanged
    }

    @Test
    void shouldDeliverToEveryTargetOnceWhenExchangeIsFanout() {
        FanoutTable<String> t = FanoutTable.<String>empty()
                .with("", "Q1").with("x", "Q1").with("anything", "Q2");

        assertThat(t.size()).isEqualTo(3);
        assertThat(t.match("whatever")).containsExactly("Q1", "Q2");
        assertThat(t.match("")).containsExactly("Q1", "Q2");
        assertThat(t.contains("x", "Q1")).isTrue();
        assertThat(t.contains("y", "Q1")).isFalse();
        assertThat(t.without("x", "Q1").match("k")).containsExactly("Q1", "Q2");
        assertThat(t.without("x", "Q1").without("", "Q1").match("k")).containsExactly("Q2");
        assertThat(t.withoutTarget("Q1").match("k")).containsExactly("Q2");
        assertThat(t.withoutTarget("Q1").size()).isEqualTo(1);
        assertThat(t.without("y", "Q1")).isSameAs(t);
        assertThat(t.withoutTarget("Q9")).isSameAs(t);
        assertThat(t.with("x", "Q1")).isSameAs(t);
    }

    @Test
    void shouldRejectOverlongKeysWhenBindingDirectOrFanout() {
        assertThatThrownBy(() -> DirectTable.<String>empty().with("k".repeat(256), "Q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("longer than 255 bytes in UTF-8");
        assertThatThrownBy(() -> FanoutTable.<String>empty().with(null, "Q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad binding key: missing");
    }

    @Test
    void shouldCreateTableForTypeWhenTypeIsKnown() {
        assertThat(BindingTable.<String>forType("topic")).isInstanceOf(TopicTrie.class);
        assertThat(BindingTable.<String>forType("direct")).isInstanceOf(DirectTable.class);
        assertThat(BindingTable.<String>forType("fanout")).isInstanceOf(FanoutTable.class);
        assertThatThrownBy(() -> BindingTable.forType("headers"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown exchange type 'headers' (expected topic, direct or fanout)");
        assertThatThrownBy(() -> BindingTable.forType(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBehaveAlikeThroughTheInterfaceWhenTypesDiffer() {
        for (String type : new String[] {"topic", "direct", "fanout"}) {
            BindingTable<String> t = BindingTable.<String>forType(type).with("a.b", "Q").with("a.b", "R");
            assertThat(t.size()).as(type).isEqualTo(2);
            assertThat(t.match("a.b")).as(type).containsExactlyInAnyOrder("Q", "R");
            assertThat(t.without("a.b", "Q").match("a.b")).as(type).containsExactly("R");
            assertThat(t.without("nope", "Q")).as(type).isSameAs(t);
        }
    }
}
