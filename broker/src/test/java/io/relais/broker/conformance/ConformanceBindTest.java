package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Unbind;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.16 BIND, 4.17 UNBIND, 5.1 (exchange types and the topic matching table) and 5.3
 * (bindings). Whether a routing key matches is observed through a mandatory publish with a confirm
 * (6.3): a message that matches no queue comes back as RETURN before its ack, one that matches does
 * not, so no test has to wait for something that should not arrive.
 */
@DisplayName("4.16, 4.17, 5.1, 5.3 Bindings and routing")
class ConformanceBindTest {
    private static final AtomicInteger EXCHANGES = new AtomicInteger();
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformanceBindTest(Peer peer) {
        this.peer = peer;
    }

    /** One row of the topic matching table of 5.1. */
    private record Match(String pattern, String routingKey, boolean matches) {
        @Override
        public String toString() {
            return "pattern '" + pattern + "', key '" + routingKey + "'";
        }
    }

    /** A new exchange of {@code type} with one queue bound to it with {@code pattern}; returns the exchange's name. */
    private static String exchangeWithOneBinding(Peer p, String type, String pattern) throws IOException {
        String name = "bind.x" + EXCHANGES.incrementAndGet();
        p.declareExchange(name, type);
        p.declareQueue(name + ".q");
        p.bind(name + ".q", name, pattern);
        return name;
    }

    /** True if a mandatory publish to {@code exchange} with {@code routingKey} reached a queue (no RETURN). */
    private static boolean routed(Peer p, String exchange, String routingKey) throws IOException {
        List<Frame> before = p.publishAcked(exchange, routingKey, Publish.MANDATORY, null, "x");
        assertThat(before).as("frames before the ack").allMatch(Return.class::isInstance);
        return before.isEmpty();
    }

    private int bindings(String exchange) throws IOException {
        return peer.call(ExchangeList::new, ExchangeListOk.class).exchanges().stream()
                .filter(e -> e.name().equals(exchange)).mapToInt(e -> (int) e.bindings()).sum();
    }

    private static Stream<Match> topicTable() {
        return Stream.of(
                new Match("a.b", "a.b", true), new Match("a.b", "a.b.c", false),
                new Match("a.*", "a.b", true), new Match("a.*", "a", false), new Match("a.*", "a.b.c", false),
                new Match("a.*", "a.", true), new Match("*.b", "x.b", true), new Match("a.*.c", "a.c", false),
                new Match("a.*.c", "a..c", true), new Match("a.#", "a", true), new Match("a.#", "a.b.c", true),
                new Match("#.c", "c", true), new Match("a.#.c", "a.c", true), new Match("a.#.c", "a.b.b.c", true),
                new Match("#", "", true), new Match("#", "x.y.z", true), new Match("*", "", true),
                new Match("*", "a", true), new Match("*", "a.b", false), new Match("a", "", false),
                new Match("", "", true), new Match("", "a", false));
    }

    @TestFactory
    @DisplayName("5.1: every row of the topic matching table")
    Stream<DynamicTest> shouldMatchTopicsAsTheTableSays() {
        return FrameSamples.rows(topicTable().toList(), "5.1 topic", "matches as the table says", m -> {
            try (Peer p = BROKER.open()) {
                String exchange = exchangeWithOneBinding(p, "topic", m.pattern());
                assertThat(routed(p, exchange, m.routingKey())).as("routed").isEqualTo(m.matches());
            }
        });
    }

    @Test
    @DisplayName("5.1: a direct binding matches only the byte-for-byte equal key")
    void shouldMatchDirectKeysExactly() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "direct", "a.b");
        assertThat(routed(peer, exchange, "a.b")).isTrue();
        assertThat(routed(peer, exchange, "a.c")).isFalse();
        assertThat(routed(peer, exchange, "A.b")).as("names are case-sensitive (1.5)").isFalse();
    }

    @Test
    @DisplayName("5.1: a fanout binding matches every key; its pattern is not checked")
    void shouldMatchEveryKeyOnFanout() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "fanout", "a*.#b");
        assertThat(routed(peer, exchange, "anything")).isTrue();
        assertThat(routed(peer, exchange, "")).isTrue();
    }

    @Test
    @DisplayName("5 intro, 5.3: a message is stored once per queue however many of its bindings match")
    void shouldStoreAMessageOncePerQueue() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "topic", "a.*");
        peer.bind(exchange + ".q", exchange, "#");
        peer.bind(exchange + ".q", exchange, "a.b");
        peer.publishAcked(exchange, "a.b", 0, null, "once");
        assertThat(peer.passive(exchange + ".q").messageCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("5.1: the default exchange has no implicit bindings: a key equal to a queue name does not reach it")
    void shouldNotBindQueuesToTheDefaultExchangeImplicitly() throws IOException {
        peer.declareQueue("bind.orders");
        assertThat(routed(peer, "", "bind.orders")).isFalse();
        peer.bind("bind.orders", "", "bind.orders");
        assertThat(routed(peer, "", "bind.orders")).isTrue();
    }

    // --------------------------------------------------------------------------------------- BIND

    @Test
    @DisplayName("4.16, 5.3: binding the same queue, exchange and pattern twice is OK and makes one binding")
    void shouldTreatARepeatedBindAsANoOp() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "topic", "a.*");
        assertThat(peer.call(id -> new Bind(id, exchange + ".q", exchange, "a.*", Map.of()), Ok.class).count())
                .isZero();
        assertThat(bindings(exchange)).isEqualTo(1);
    }

    @Test
    @DisplayName("4.16 errors: a missing queue or a missing exchange is ERROR(request_id, 1002)")
    void shouldRefuseBindingWhatDoesNotExist() throws IOException {
        peer.declareQueue("bind.present");
        peer.callError(id -> new Bind(id, "bind.absent", "", "k", Map.of()), ErrorCode.NOT_FOUND);
        peer.callError(id -> new Bind(id, "bind.present", "bind.absent.x", "k", Map.of()), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.16 errors: binding a queue exclusive to another connection is ERROR(request_id, 1004)")
    void shouldRefuseBindingAnotherConnectionsQueue() throws IOException {
        peer.call(id -> new QueueDeclare(id, "bind.mine", false, true, false, false, Map.of()), QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> new Bind(id, "bind.mine", "", "k", Map.of()), ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.16 errors, 5.1: invalid topic patterns are ERROR(request_id, 1005)")
    void shouldRefuseInvalidTopicPatterns() throws IOException {
        peer.declareQueue("bind.patterns");
        for (String pattern : List.of("a*.b", "#x", "**", "a.b*", "a.#b.c")) {
            peer.callError(id -> new Bind(id, "bind.patterns", "", pattern, Map.of()), ErrorCode.INVALID_ARGUMENT);
        }
    }

    @Test
    @DisplayName("4.16 errors, 5.1: a direct key containing '*' or '#' is ERROR(request_id, 1005)")
    void shouldRefuseWildcardsInDirectKeys() throws IOException {
        peer.declareExchange("bind.direct", "direct");
        peer.declareQueue("bind.direct.q");
        peer.callError(id -> new Bind(id, "bind.direct.q", "bind.direct", "a.*", Map.of()), ErrorCode.INVALID_ARGUMENT);
        peer.callError(id -> new Bind(id, "bind.direct.q", "bind.direct", "#", Map.of()), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.16 errors, 1.5: a pattern of 256 bytes is ERROR(request_id, 1005), on every exchange type")
    void shouldRefuseLongPatterns() throws IOException {
        peer.declareQueue("bind.long");
        peer.declareExchange("bind.long.direct", "direct");
        peer.declareExchange("bind.long.fanout", "fanout");
        for (String exchange : List.of("", "bind.long.direct", "bind.long.fanout")) {
            peer.callError(id -> new Bind(id, "bind.long", exchange, Bytes.name(256), Map.of()),
                    ErrorCode.INVALID_ARGUMENT);
        }
    }

    @Test
    @DisplayName("4.16 errors, 1.5: a queue name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseALongQueueName() throws IOException {
        peer.callError(id -> new Bind(id, Bytes.name(256), "", "k", Map.of()), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.16 errors, 1.5: an exchange name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseALongExchangeName() throws IOException {
        peer.declareQueue("bind.longx");
        peer.callError(id -> new Bind(id, "bind.longx", Bytes.name(256), "k", Map.of()), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.16 errors: non-empty arguments are ERROR(request_id, 1005)")
    void shouldRefuseBindArguments() throws IOException {
        peer.declareQueue("bind.args");
        peer.callError(id -> new Bind(id, "bind.args", "", "k", Map.of("x-match", "all")), ErrorCode.INVALID_ARGUMENT);
    }

    // ------------------------------------------------------------------------------------- UNBIND

    @Test
    @DisplayName("4.17: UNBIND removes the binding: OK(request_id, 0), and the key is no longer routed")
    void shouldRemoveABinding() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "topic", "a.*");
        assertThat(peer.call(id -> new Unbind(id, exchange + ".q", exchange, "a.*"), Ok.class).count()).isZero();
        assertThat(routed(peer, exchange, "a.b")).isFalse();
    }

    @Test
    @DisplayName("4.17: the pattern is compared byte for byte: unbinding 'A.*' leaves 'a.*'; a missing binding is OK")
    void shouldUnbindOnlyTheExactPattern() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "topic", "a.*");
        peer.call(id -> new Unbind(id, exchange + ".q", exchange, "A.*"), Ok.class);
        assertThat(routed(peer, exchange, "a.b")).isTrue();
    }

    @Test
    @DisplayName("4.17 errors: a missing queue or a missing exchange is ERROR(request_id, 1002)")
    void shouldRefuseUnbindingWhatDoesNotExist() throws IOException {
        peer.declareQueue("unbind.present");
        peer.callError(id -> new Unbind(id, "unbind.absent", "", "k"), ErrorCode.NOT_FOUND);
        peer.callError(id -> new Unbind(id, "unbind.present", "unbind.absent.x", "k"), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.17 errors: unbinding a queue exclusive to another connection is ERROR(request_id, 1004)")
    void shouldRefuseUnbindingAnotherConnectionsQueue() throws IOException {
        peer.call(id -> new QueueDeclare(id, "unbind.mine", false, true, false, false, Map.of()),
                QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> new Unbind(id, "unbind.mine", "", "k"), ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.17 errors, 1.5: a pattern of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseUnbindingALongPattern() throws IOException {
        peer.declareQueue("unbind.long");
        peer.callError(id -> new Unbind(id, "unbind.long", "", Bytes.name(256)), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.17 errors, 1.5: a queue or exchange name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseUnbindingLongNames() throws IOException {
        peer.declareQueue("unbind.longx");
        peer.callError(id -> new Unbind(id, Bytes.name(256), "", "k"), ErrorCode.INVALID_ARGUMENT);
        peer.callError(id -> new Unbind(id, "unbind.longx", Bytes.name(256), "k"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("5.3: bindings disappear with their queue")
    void shouldDropBindingsWithTheirQueue() throws IOException {
        String exchange = exchangeWithOneBinding(peer, "fanout", "");
        peer.call(id -> new QueueDelete(id, exchange + ".q", false, false), Ok.class);
        assertThat(bindings(exchange)).isZero();
        assertThat(peer.call(ExchangeList::new, ExchangeListOk.class).exchanges()).extracting(ExchangeInfo::name)
                .contains(exchange);
    }
}
