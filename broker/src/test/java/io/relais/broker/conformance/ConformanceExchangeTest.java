package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.10 EXCHANGE_DECLARE, 4.11 EXCHANGE_DELETE, 4.18 EXCHANGE_LIST, 4.19 EXCHANGE_LIST_OK
 * and the exchange rules of 5.1 and 1.5: every row of their error tables, and the success answers.
 */
@DisplayName("4.10, 4.11, 4.18, 4.19, 5.1 Exchanges")
class ConformanceExchangeTest {
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformanceExchangeTest(Peer peer) {
        this.peer = peer;
    }

    private Ok declare(String name, String type, boolean durable, boolean autoDelete, boolean passive)
            throws IOException {
        return peer.call(id -> new ExchangeDeclare(id, name, type, durable, autoDelete, passive, Map.of()), Ok.class);
    }

    private void declareFails(String name, String type, boolean durable, boolean autoDelete, boolean passive,
                              Map<String, Object> arguments, ErrorCode code) throws IOException {
        peer.callError(id -> new ExchangeDeclare(id, name, type, durable, autoDelete, passive, arguments), code);
    }

    private List<ExchangeInfo> list() throws IOException {
        return peer.call(ExchangeList::new, ExchangeListOk.class).exchanges();
    }

    // --------------------------------------------------------------------------- EXCHANGE_DECLARE

    @Test
    @DisplayName("4.10: declaring a new exchange is answered OK(request_id, 0), for each of topic, direct, fanout")
    void shouldCreateExchangesOfEachType() throws IOException {
        for (String type : List.of("topic", "direct", "fanout")) {
            assertThat(declare("ex.new." + type, type, false, false, false).count()).isZero();
        }
        assertThat(list()).extracting(ExchangeInfo::name).contains("ex.new.topic", "ex.new.direct", "ex.new.fanout");
    }

    @Test
    @DisplayName("4.10: redeclaring with the same type and flags is OK")
    void shouldAcceptAnIdenticalRedeclare() throws IOException {
        declare("ex.same", "direct", false, true, false);
        assertThat(declare("ex.same", "direct", false, true, false).count()).isZero();
    }

    @Test
    @DisplayName("4.10: a durable exchange is created (the Relais broker stores durable state)")
    void shouldCreateADurableExchange() throws IOException {
        declare("ex.durable", "fanout", true, false, false);
        assertThat(list()).filteredOn(e -> e.name().equals("ex.durable")).singleElement()
                .satisfies(e -> assertThat(e.durable()).isTrue());
    }

    @Test
    @DisplayName("4.10: passive declare of an existing exchange is OK whatever the other fields say")
    void shouldIgnoreTheOtherFieldsWhenPassive() throws IOException {
        declare("ex.passive", "topic", false, false, false);
        assertThat(declare("ex.passive", "no-such-type", true, true, true).count()).isZero();
    }

    @Test
    @DisplayName("4.10: passive declare of the default exchange \"\" is OK (empty name: passive only)")
    void shouldAcceptAPassiveDeclareOfTheDefaultExchange() throws IOException {
        declare("", "topic", true, false, true);
    }

    @Test
    @DisplayName("4.10 errors: passive declare of a missing exchange is ERROR(request_id, 1002)")
    void shouldRefuseAPassiveDeclareOfAMissingExchange() throws IOException {
        declareFails("ex.missing", "topic", false, false, true, Map.of(), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.10 errors: redeclaring with another type is ERROR(request_id, 1003); the exchange is unchanged")
    void shouldRefuseAnotherType() throws IOException {
        declare("ex.typed", "topic", false, false, false);
        declareFails("ex.typed", "fanout", false, false, false, Map.of(), ErrorCode.PRECONDITION_FAILED);
        assertThat(list()).filteredOn(e -> e.name().equals("ex.typed")).singleElement()
                .satisfies(e -> assertThat(e.exchangeType()).isEqualTo("topic"));
    }

    @Test
    @DisplayName("4.10 errors: redeclaring with another durable flag is ERROR(request_id, 1003)")
    void shouldRefuseAnotherDurableFlag() throws IOException {
        declare("ex.flags.d", "topic", false, false, false);
        declareFails("ex.flags.d", "topic", true, false, false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.10 errors: redeclaring with another auto_delete flag is ERROR(request_id, 1003)")
    void shouldRefuseAnotherAutoDeleteFlag() throws IOException {
        declare("ex.flags.a", "topic", false, false, false);
        declareFails("ex.flags.a", "topic", false, true, false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.10 errors, 5.1: a non-passive declare of the default exchange \"\" is ERROR(request_id, 1003)")
    void shouldRefuseDeclaringTheDefaultExchange() throws IOException {
        declareFails("", "topic", true, false, false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.10 errors, 1.5: creating a name that starts with 'relais.' is ERROR(request_id, 1003)")
    void shouldRefuseAReservedName() throws IOException {
        declareFails("relais.mine", "topic", false, false, false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.10 errors: an unknown exchange_type is ERROR(request_id, 1005)")
    void shouldRefuseAnUnknownType() throws IOException {
        declareFails("ex.headers", "headers", false, false, false, Map.of(), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.10 errors: exchange_type is lower case: 'TOPIC' is ERROR(request_id, 1005)")
    void shouldRefuseAnUpperCaseType() throws IOException {
        declareFails("ex.upper", "TOPIC", false, false, false, Map.of(), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.10 errors, 1.5: a name of 256 bytes is ERROR(request_id, 1005); 255 bytes is fine")
    void shouldRefuseANameAboveTheLimit() throws IOException {
        declareFails(Bytes.name(256), "topic", false, false, false, Map.of(), ErrorCode.INVALID_ARGUMENT);
        declare(Bytes.name(255), "topic", false, false, false);
    }

    @Test
    @DisplayName("4.10 errors: non-empty arguments are ERROR(request_id, 1005)")
    void shouldRefuseArguments() throws IOException {
        declareFails("ex.args", "topic", false, false, false, Map.of("alternate-exchange", "x"),
                ErrorCode.INVALID_ARGUMENT);
    }

    // ---------------------------------------------------------------------------- EXCHANGE_DELETE

    @Test
    @DisplayName("4.11: deleting an exchange is OK(request_id, 0); it is gone and the queues bound to it stay")
    void shouldDeleteAnExchangeAndItsBindings() throws IOException {
        declare("ex.del", "fanout", false, false, false);
        peer.declareQueue("ex.del.q");
        peer.bind("ex.del.q", "ex.del", "");
        assertThat(peer.call(id -> new ExchangeDelete(id, "ex.del", false), Ok.class).count()).isZero();
        declareFails("ex.del", "fanout", false, false, true, Map.of(), ErrorCode.NOT_FOUND);
        assertThat(peer.call(QueueList::new, QueueListOk.class).queues())
                .anySatisfy(q -> assertThat(q.name()).isEqualTo("ex.del.q"));
    }

    @Test
    @DisplayName("4.11 errors: deleting a missing exchange is ERROR(request_id, 1002)")
    void shouldRefuseDeletingAMissingExchange() throws IOException {
        peer.callError(id -> new ExchangeDelete(id, "ex.never", false), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.11 errors, 5.1: deleting the default exchange \"\" is ERROR(request_id, 1003)")
    void shouldRefuseDeletingTheDefaultExchange() throws IOException {
        peer.callError(id -> new ExchangeDelete(id, "", false), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.11 errors: if_unused on an exchange with bindings is ERROR(request_id, 1003); without, OK")
    void shouldHonourIfUnused() throws IOException {
        declare("ex.used", "fanout", false, false, false);
        peer.declareQueue("ex.used.q");
        peer.bind("ex.used.q", "ex.used", "");
        peer.callError(id -> new ExchangeDelete(id, "ex.used", true), ErrorCode.PRECONDITION_FAILED);
        declare("ex.unused", "fanout", false, false, false);
        peer.call(id -> new ExchangeDelete(id, "ex.unused", true), Ok.class);
    }

    @Test
    @DisplayName("4.11 errors, 1.5: deleting a name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseDeletingANameAboveTheLimit() throws IOException {
        peer.callError(id -> new ExchangeDelete(id, Bytes.name(256), false), ErrorCode.INVALID_ARGUMENT);
    }

    // ----------------------------------------------------------------------------- auto_delete, 5.1

    @Test
    @DisplayName("5.1, 4.17: an auto-delete exchange is deleted when its last binding is removed")
    void shouldAutoDeleteAfterTheLastBinding() throws IOException {
        declare("ex.auto", "direct", false, true, false);
        peer.declareQueue("ex.auto.q");
        peer.bind("ex.auto.q", "ex.auto", "k");
        peer.call(id -> new Unbind(id, "ex.auto.q", "ex.auto", "k"), Ok.class);
        declareFails("ex.auto", "direct", false, true, true, Map.of(), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("5.1: an auto-delete exchange is deleted when QUEUE_DELETE removes its last binding")
    void shouldAutoDeleteWhenTheBoundQueueIsDeleted() throws IOException {
        declare("ex.auto.qd", "fanout", false, true, false);
        peer.declareQueue("ex.auto.qd.q");
        peer.bind("ex.auto.qd.q", "ex.auto.qd", "");
        peer.call(id -> new QueueDelete(id, "ex.auto.qd.q", false, false), Ok.class);
        declareFails("ex.auto.qd", "fanout", false, true, true, Map.of(), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("5.1, 1.2: an auto-delete exchange is deleted when its last binding, a pattern subscription, is "
            + "cancelled")
    void shouldAutoDeleteWhenThePatternSubscriptionEnds() throws IOException {
        declare("ex.auto.sub", "topic", false, true, false);
        peer.call(id -> new Subscribe(id, 1, "", "ex.auto.sub", "a.#", 0, false, false), SubscribeOk.class);
        long cancel = peer.nextRequestId();
        long check = peer.nextRequestId();
        peer.sendTogether(List.of(new Cancel(cancel, 1),
                new ExchangeDeclare(check, "ex.auto.sub", "topic", false, true, true, Map.of())));
        assertThat(peer.expect(Ok.class).requestId()).isEqualTo(cancel);
        peer.expectError(check, ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("5.1: a new auto-delete exchange without bindings stays until deleted")
    void shouldKeepANewAutoDeleteExchange() throws IOException {
        declare("ex.auto.fresh", "direct", false, true, false);
        declare("ex.auto.fresh", "direct", false, true, true);
    }

    // ------------------------------------------------------------------------------ EXCHANGE_LIST

    @Test
    @DisplayName("4.19: EXCHANGE_LIST_OK lists the default exchange as \"\", topic, durable, not auto-delete")
    void shouldListTheDefaultExchange() throws IOException {
        assertThat(list()).filteredOn(e -> e.name().isEmpty()).singleElement().satisfies(e -> {
            assertThat(e.exchangeType()).isEqualTo("topic");
            assertThat(e.durable()).isTrue();
            assertThat(e.autoDelete()).isFalse();
        });
    }

    @Test
    @DisplayName("4.19: EXCHANGE_LIST_OK gives each exchange's type, flags and number of bindings")
    void shouldListExchangesWithTheirBindings() throws IOException {
        declare("ex.listed", "fanout", false, true, false);
        peer.declareQueue("ex.listed.q1");
        peer.declareQueue("ex.listed.q2");
        peer.bind("ex.listed.q1", "ex.listed", "");
        peer.bind("ex.listed.q2", "ex.listed", "");
        assertThat(list()).filteredOn(e -> e.name().equals("ex.listed")).singleElement().satisfies(e -> {
            assertThat(e.exchangeType()).isEqualTo("fanout");
            assertThat(e.durable()).isFalse();
            assertThat(e.autoDelete()).isTrue();
            assertThat(e.bindings()).isEqualTo(2);
        });
    }
}
