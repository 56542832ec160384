package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.Return;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.22 PUBLISH (every row of its error table), 4.23 CONFIRM, 4.24 RETURN and section
 * 6 (sequence numbers, confirms, mandatory): every seq > 0 is confirmed exactly once, in order,
 * refusals are negative CONFIRMs or ERROR(0, code) for seq 0, and a refused message is not routed.
 */
@DisplayName("4.22-4.24, 6 Publishing, confirms, returns")
class ConformancePublishTest {
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformancePublishTest(Peer peer) {
        this.peer = peer;
    }

    /** Sends PUBLISH with the next seq; the next frame must be its single negative CONFIRM with {@code code}. */
    private void nacked(String exchange, String routingKey, int flags, ErrorCode code) throws IOException {
        long seq = peer.nextSeq();
        peer.send(Peer.publish(seq, exchange, routingKey, flags, null, "x"));
        Confirm c = peer.expect(Confirm.class);
        assertThat(c.seq()).as("seq of %s", c).isEqualTo(seq);
        assertThat(c.ack()).as("ack of %s", c).isFalse();
        assertThat(c.multiple()).as("multiple of %s", c).isFalse();
        assertThat(c.code()).as("code of %s", c).isEqualTo(code.code());
        peer.expectOpen();
    }

    /** Sends PUBLISH with seq 0; the next frame must be ERROR(0, code), and nothing else follows. */
    private void refused(String exchange, String routingKey, int flags, ErrorCode code) throws IOException {
        peer.send(Peer.publish(0, exchange, routingKey, flags, null, "x"));
        peer.expectError(0, code);
        peer.expectOpen();
    }

    private long ready(String queue) throws IOException {
        return peer.passive(queue).messageCount();
    }

    // -------------------------------------------------------------------------------- confirms

    @Test
    @DisplayName("4.22, 6.2: PUBLISH with seq > 0 that matches no queue is acked: CONFIRM(seq, true, false, 0)")
    void shouldAckAnUnroutedPublish() throws IOException {
        peer.send(Peer.publish(1, "", "pub.nowhere", "x"));
        Confirm c = peer.expect(Confirm.class);
        assertThat(c).isEqualTo(new Confirm(1, true, false, 0));
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.22, 6.2: PUBLISH with seq > 0 routed to a queue is acked and stored there")
    void shouldAckARoutedPublish() throws IOException {
        peer.declareBoundQueue("pub.routed");
        peer.publishAcked("pub.routed", "x");
        assertThat(ready("pub.routed")).isEqualTo(1);
    }

    @Test
    @DisplayName("6.1: PUBLISH with seq 0 gets no answer at all, routed or not")
    void shouldNotAnswerFireAndForget() throws IOException {
        peer.declareBoundQueue("pub.fire");
        peer.send(Peer.publish(0, "", "pub.fire", "x"));
        peer.send(Peer.publish(0, "", "pub.fire.nowhere", "x"));
        peer.expectOpen();
        assertThat(ready("pub.fire")).isEqualTo(1);
    }

    @Test
    @DisplayName("6.1, 4.23: seqs need not be contiguous, may be mixed with seq 0, and each is confirmed once, in "
            + "order")
    void shouldConfirmSparseSeqsInOrder() throws IOException {
        ConfirmLedger ledger = new ConfirmLedger();
        for (long seq : new long[] {3, 0, 10, 11, 0, 1_000_000, Long.MAX_VALUE}) {
            peer.send(Peer.publish(seq, "", "pub.sparse", "x"));
            if (seq > 0) {
                ledger.published(seq);
            }
        }
        List<Frame> others = peer.readConfirms(ledger);
        assertThat(others).as("frames other than CONFIRM").allMatch(Confirm.class::isInstance);
        assertThat(ledger.acked(Long.MAX_VALUE)).isTrue();
        peer.expectOpen();
    }

    @Test
    @DisplayName("6.1, 4.22: a seq not greater than the previous one is ERROR(0, 1005), no CONFIRM, not routed")
    void shouldRefuseSeqsThatDoNotIncrease() throws IOException {
        peer.declareBoundQueue("pub.order");
        peer.send(Peer.publish(5, "", "pub.order", "first"));
        assertThat(peer.expect(Confirm.class)).isEqualTo(new Confirm(5, true, false, 0));
        peer.send(Peer.publish(5, "", "pub.order", "same"));
        peer.expectError(0, ErrorCode.INVALID_ARGUMENT);
        peer.send(Peer.publish(4, "", "pub.order", "lower"));
        peer.expectError(0, ErrorCode.INVALID_ARGUMENT);
        peer.expectOpen();
        assertThat(ready("pub.order")).as("only the first was routed").isEqualTo(1);
        peer.send(Peer.publish(6, "", "pub.order", "next"));
        assertThat(peer.expect(Confirm.class)).isEqualTo(new Confirm(6, true, false, 0));
    }

    @Test
    @DisplayName("6.2, 4.23: with refusals among many publishes, each seq is confirmed exactly once, in seq order")
    void shouldConfirmEverySeqOnceWithNacksInBetween() throws IOException {
        peer.declareBoundQueue("pub.many");
        ConfirmLedger ledger = new ConfirmLedger();
        for (long seq = 1; seq <= 30; seq++) {
            String exchange = seq % 7 == 0 ? "pub.no.such.exchange" : "";
            String key = seq % 11 == 0 ? "pub.#" : "pub.many";
            peer.send(Peer.publish(seq, exchange, key, "m" + seq));
            ledger.published(seq);
        }
        peer.readConfirms(ledger);
        for (long seq = 1; seq <= 30; seq++) {
            if (seq % 7 == 0) {
                assertThat(ledger.nackCode(seq)).as("seq %d", seq).isEqualTo(ErrorCode.NOT_FOUND.code());
            } else if (seq % 11 == 0) {
                assertThat(ledger.nackCode(seq)).as("seq %d", seq).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
            } else {
                assertThat(ledger.acked(seq)).as("seq %d", seq).isTrue();
            }
        }
        peer.expectOpen();
        assertThat(ready("pub.many")).isEqualTo(30 - 4 - 2);
    }

    // ----------------------------------------------------------------------------- error table

    @Test
    @DisplayName("4.22 errors: an unknown exchange is CONFIRM(seq, false, false, 1002) with seq > 0")
    void shouldNackAnUnknownExchange() throws IOException {
        nacked("pub.missing", "k", 0, ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.22 errors: an unknown exchange is ERROR(0, 1002) with seq 0")
    void shouldRefuseAnUnknownExchange() throws IOException {
        refused("pub.missing", "k", 0, ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.22 errors, 1.5: a routing key with '*' or '#' is CONFIRM(seq, false, false, 1005) / ERROR(0, 1005)")
    void shouldRefuseWildcardsInRoutingKeys() throws IOException {
        nacked("", "a.*", 0, ErrorCode.INVALID_ARGUMENT);
        nacked("", "a#", 0, ErrorCode.INVALID_ARGUMENT);
        refused("", "*", 0, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.22 errors, 1.5: a routing key of 256 bytes is CONFIRM(seq, false, false, 1005) / ERROR(0, 1005)")
    void shouldRefuseLongRoutingKeys() throws IOException {
        nacked("", Bytes.name(256), 0, ErrorCode.INVALID_ARGUMENT);
        refused("", Bytes.name(256), 0, ErrorCode.INVALID_ARGUMENT);
        peer.publishAcked(Bytes.name(255), "255 bytes is allowed");
    }

    @Test
    @DisplayName("1.5, 4.22: an exchange name of 256 bytes is refused with 1005 (INVALID_ARGUMENT), not 1002")
    void shouldRefuseLongExchangeNames() throws IOException {
        nacked(Bytes.name(256), "k", 0, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.22 errors, 1.6 rule 5: unknown flag bits are CONFIRM(seq, false, false, 1005) / ERROR(0, 1005), "
            + "not routed")
    void shouldRefuseUnknownFlagBits() throws IOException {
        peer.declareBoundQueue("pub.flags");
        nacked("", "pub.flags", 4, ErrorCode.INVALID_ARGUMENT);
        refused("", "pub.flags", 8 | Publish.PERSISTENT, ErrorCode.INVALID_ARGUMENT);
        assertThat(ready("pub.flags")).isZero();
    }

    @Test
    @DisplayName("4.22 errors, 5.2.3: a full reject-publish queue is CONFIRM(seq, false, false, 1006); other queues "
            + "still take it")
    void shouldNackWhenARejectPublishQueueIsFull() throws IOException {
        peer.declareQueue("pub.full", Map.of("max-length", 1L, "overflow", "reject-publish"));
        peer.bind("pub.full", "", "pub.full.k");
        peer.declareBoundQueue("pub.full.other");
        peer.bind("pub.full.other", "", "pub.full.k");
        peer.publishAcked("pub.full.k", "fits");
        nacked("", "pub.full.k", 0, ErrorCode.QUEUE_FULL);
        refused("", "pub.full.k", 0, ErrorCode.QUEUE_FULL);
        assertThat(ready("pub.full")).isEqualTo(1);
        assertThat(ready("pub.full.other")).as("the other matching queue accepted all three").isEqualTo(3);
    }

    // --------------------------------------------------------------------------- mandatory, 6.3

    @Test
    @DisplayName("4.24, 6.3: a mandatory publish that matches no queue comes back as RETURN(seq, 1001, ...) then "
            + "CONFIRM ack")
    void shouldReturnAnUnroutableMandatoryPublish() throws IOException {
        Properties props = Properties.builder().contentType("text/plain").correlationId("r1").replyTo("back")
                .timestamp(1_700_000_000_000L).expiration(5_000L).headers(Map.of("n", 1L, "s", "v")).build();
        peer.send(Peer.publish(1, "", "pub.svc", Publish.MANDATORY | Publish.PERSISTENT, props, "hello"));
        List<Frame> frames = peer.read(2);
        assertThat(frames.get(0)).as("RETURN comes before the CONFIRM of its seq (4.24)").isInstanceOf(Return.class);
        Return r = (Return) frames.get(0);
        assertThat(r.seq()).isEqualTo(1);
        assertThat(r.code()).isEqualTo(ErrorCode.NO_ROUTE.code());
        assertThat(r.exchange()).isEmpty();
        assertThat(r.routingKey()).isEqualTo("pub.svc");
        assertThat(r.properties()).as("properties unchanged").isEqualTo(props);
        assertThat(Peer.text(r)).isEqualTo("hello");
        assertThat(frames.get(1)).isEqualTo(new Confirm(1, true, false, 0));
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.24, 6.3: a mandatory publish with seq 0 that matches no queue gets RETURN(0, 1001, ...) and "
            + "nothing else")
    void shouldReturnWithoutConfirmForSeqZero() throws IOException {
        peer.declareExchange("pub.empty", "fanout");
        peer.send(Peer.publish(0, "pub.empty", "any", Publish.MANDATORY, null, "back"));
        Return r = peer.expect(Return.class);
        assertThat(r.seq()).isZero();
        assertThat(r.code()).isEqualTo(ErrorCode.NO_ROUTE.code());
        assertThat(r.exchange()).isEqualTo("pub.empty");
        assertThat(Peer.text(r)).isEqualTo("back");
        peer.expectOpen();
    }

    @Test
    @DisplayName("6.3: a mandatory publish that matches a queue is not returned, only acked")
    void shouldNotReturnARoutedMandatoryPublish() throws IOException {
        peer.declareBoundQueue("pub.mandatory");
        assertThat(peer.publishAcked("", "pub.mandatory", Publish.MANDATORY, null, "x")).isEmpty();
        peer.expectOpen();
    }

    @Test
    @DisplayName("6.3: a message that matched a queue is not returned even if that queue drops it at once")
    void shouldNotReturnWhatAQueueDropped() throws IOException {
        peer.declareQueue("pub.tiny", Map.of("max-length-bytes", 1L));
        peer.bind("pub.tiny", "", "pub.tiny");
        assertThat(peer.publishAcked("", "pub.tiny", Publish.MANDATORY, null, "too long"))
                .as("frames before the ack: no RETURN").isEmpty();
    }

    @Test
    @DisplayName("6.4: a persistent publish to a durable queue is acked")
    void shouldAckAPersistentPublishToADurableQueue() throws IOException {
        peer.patiently(() -> {
            peer.call(id -> new QueueDeclare(id, "pub.durable", true, false, false, false, Map.of()),
                    QueueDeclareOk.class);
            peer.bind("pub.durable", "", "pub.durable");
            peer.publishAcked("", "pub.durable", Publish.PERSISTENT, null, "kept");
        });
        assertThat(ready("pub.durable")).isEqualTo(1);
    }
}
