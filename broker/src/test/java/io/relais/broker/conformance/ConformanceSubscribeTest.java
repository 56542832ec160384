package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.25 SUBSCRIBE (every row of its error table), 4.26 SUBSCRIBE_OK, 4.27 CANCEL,
 * 4.28 CANCELLED, 4.29 DELIVER, and section 7.1-7.3, 7.6 (subscription ids, queue and pattern
 * subscriptions, delivery tags, distribution).
 */
@DisplayName("4.25-4.29, 7 Subscriptions and delivery")
class ConformanceSubscribeTest {
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformanceSubscribeTest(Peer peer) {
        this.peer = peer;
    }

    private static Subscribe pattern(long id, long sid, String exchange, String pattern) {
        return new Subscribe(id, sid, "", exchange, pattern, 0, false, false);
    }

    private List<QueueInfo> queues() throws IOException {
        return peer.call(QueueList::new, QueueListOk.class).queues();
    }

    // ---------------------------------------------------------------- SUBSCRIBE / SUBSCRIBE_OK

    @Test
    @DisplayName("4.25, 4.26: a queue subscription is answered SUBSCRIBE_OK(request_id, sid, queue)")
    void shouldSubscribeToAQueue() throws IOException {
        peer.declareQueue("sub.q");
        SubscribeOk ok = peer.subscribe(3, "sub.q", false, 0);
        assertThat(ok.sid()).isEqualTo(3);
        assertThat(ok.queue()).isEqualTo("sub.q");
    }

    @Test
    @DisplayName("4.25: a queue subscription ignores its exchange and pattern fields")
    void shouldIgnoreExchangeAndPatternOfAQueueSubscription() throws IOException {
        peer.declareQueue("sub.ignored");
        SubscribeOk ok = peer.call(id -> new Subscribe(id, 1, "sub.ignored", "sub.no.such.exchange", "a*", 0, false,
                false), SubscribeOk.class);
        assertThat(ok.queue()).isEqualTo("sub.ignored");
    }

    @Test
    @DisplayName("4.25, 7.2: a pattern subscription gets queue 'relais.sub.<connection_id>.<sid>': exclusive, "
            + "auto-delete, not durable")
    void shouldMakeAPrivateQueueForAPatternSubscription() throws IOException {
        SubscribeOk ok = peer.call(id -> pattern(id, 12, "", "sub.events.*"), SubscribeOk.class);
        String expected = "relais.sub." + peer.connectionId() + ".12";
        assertThat(ok.queue()).isEqualTo(expected);
        assertThat(queues()).filteredOn(q -> q.name().equals(expected)).singleElement().satisfies(q -> {
            assertThat(q.exclusive()).isTrue();
            assertThat(q.autoDelete()).isTrue();
            assertThat(q.durable()).isFalse();
            assertThat(q.consumers()).isEqualTo(1);
        });
    }

    @Test
    @DisplayName("7.2, 5.2.2: a pattern subscription's queue is exclusive: another connection gets 1004 for it")
    void shouldKeepPatternQueuesPrivate() throws IOException {
        String queue = peer.call(id -> pattern(id, 1, "", "sub.private"), SubscribeOk.class).queue();
        try (Peer other = BROKER.open()) {
            other.callError(id -> new Subscribe(id, 1, queue, "", "", 0, false, false), ErrorCode.RESOURCE_LOCKED);
            other.callError(id -> new QueueDeclare(id, queue, false, true, true, true, Map.of()),
                    ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.29: DELIVER carries sid, tag, flags, exchange, routing key, properties and payload as published")
    void shouldDeliverWhatWasPublished() throws IOException {
        peer.declareExchange("sub.ev", "topic");
        peer.call(id -> pattern(id, 5, "sub.ev", "a.*"), SubscribeOk.class);
        Properties props = Properties.builder().messageId("m-1").timestamp(-3L)
                .headers(Map.of("k", "v", "b", true, "f", 1.5, "i", -7L))
                .build();
        List<Frame> early = peer.publishAcked("sub.ev", "a.b", 0, props, "hello");
        Deliver d = early.isEmpty() ? peer.expect(Deliver.class) : Peer.only(early, Deliver.class);
        assertThat(d.sid()).isEqualTo(5);
        assertThat(d.deliveryTag()).as("the first DELIVER on the connection has tag 1 (7.3)").isEqualTo(1);
        assertThat(d.flags()).isZero();
        assertThat(d.exchange()).isEqualTo("sub.ev");
        assertThat(d.routingKey()).isEqualTo("a.b");
        assertThat(d.properties()).isEqualTo(props);
        assertThat(Peer.text(d)).isEqualTo("hello");
    }

    @Test
    @DisplayName("4.29, 6.4: DELIVER of a persistent publish has flag bit 1 (persistent)")
    void shouldFlagPersistentDeliveries() throws IOException {
        peer.call(id -> pattern(id, 1, "", "sub.persistent"), SubscribeOk.class);
        List<Frame> early = peer.publishAcked("", "sub.persistent", Publish.PERSISTENT, null, "p");
        Deliver d = early.isEmpty() ? peer.expect(Deliver.class) : Peer.only(early, Deliver.class);
        assertThat(d.flags() & Deliver.PERSISTENT).isEqualTo(Deliver.PERSISTENT);
        assertThat(d.flags() & Deliver.REDELIVERED).isZero();
    }

    @Test
    @DisplayName("7.2: every matching pattern subscription gets its own copy")
    void shouldCopyToEveryPatternSubscription() throws IOException {
        peer.call(id -> pattern(id, 1, "", "sub.copy.#"), SubscribeOk.class);
        peer.call(id -> pattern(id, 2, "", "sub.*.x"), SubscribeOk.class);
        List<Frame> frames = new ArrayList<>(peer.publishAcked("sub.copy.x", "both"));
        while (Peer.all(frames, Deliver.class).size() < 2) {
            frames.add(peer.read());
        }
        assertThat(Peer.all(frames, Deliver.class)).extracting(Deliver::sid).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    @DisplayName("7.3: delivery tags start at 1 and increase by 1 across all subscriptions of the connection")
    void shouldNumberDeliveriesAcrossSubscriptions() throws IOException {
        peer.declareBoundQueue("sub.tags.a");
        peer.declareBoundQueue("sub.tags.b");
        peer.subscribe(1, "sub.tags.a", true, 10);
        peer.subscribe(2, "sub.tags.b", false, 0);
        List<Frame> frames = new ArrayList<>();
        frames.addAll(peer.publishAcked("sub.tags.a", "1"));
        frames.addAll(peer.publishAcked("sub.tags.b", "2"));
        frames.addAll(peer.publishAcked("sub.tags.a", "3"));
        while (Peer.all(frames, Deliver.class).size() < 3) {
            frames.add(peer.read());
        }
        List<Deliver> delivers = Peer.all(frames, Deliver.class);
        assertThat(delivers).extracting(Deliver::deliveryTag).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("4.26: no DELIVER precedes SUBSCRIBE_OK, subscribing 20 times to a queue that holds messages")
    void shouldAnswerSubscribeBeforeDelivering() throws IOException {
        for (int i = 0; i < 20; i++) {
            String queue = "sub.ready." + i;
            peer.declareBoundQueue(queue);
            for (int m = 0; m < 3; m++) {
                peer.publishAcked(queue, "m" + m);
            }
            long sid = 100 + i;
            long id = peer.nextRequestId();
            peer.send(new Subscribe(id, sid, queue, "", "", 0, false, false));
            Frame first = peer.read();
            assertThat(first).as("first frame after SUBSCRIBE %d on a queue with 3 messages (round %d)", id, i)
                    .isInstanceOf(SubscribeOk.class);
            assertThat(peer.read(3)).allMatch(Deliver.class::isInstance);
        }
    }

    @Test
    @DisplayName("7.6: a queue's messages are distributed round-robin among its subscriptions, each to one")
    void shouldDistributeRoundRobin() throws IOException {
        peer.declareBoundQueue("sub.rr");
        peer.subscribe(1, "sub.rr", false, 0);
        peer.subscribe(2, "sub.rr", false, 0);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            frames.addAll(peer.publishAcked("sub.rr", "m" + i));
        }
        while (Peer.all(frames, Deliver.class).size() < 4) {
            frames.add(peer.read());
        }
        assertThat(Peer.all(frames, Deliver.class)).extracting(Deliver::sid).containsExactly(1L, 2L, 1L, 2L);
        assertThat(peer.passive("sub.rr").messageCount()).isZero();
    }

    // ------------------------------------------------------------------------------ error table

    @Test
    @DisplayName("4.25 errors: a queue subscription to a missing queue is ERROR(request_id, 1002)")
    void shouldRefuseAMissingQueue() throws IOException {
        peer.callError(id -> new Subscribe(id, 1, "sub.missing", "", "", 0, false, false), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.25 errors: a pattern subscription to a missing exchange is ERROR(request_id, 1002)")
    void shouldRefuseAMissingExchange() throws IOException {
        peer.callError(id -> pattern(id, 1, "sub.missing.x", "a"), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.25 errors: a queue exclusive to another connection is ERROR(request_id, 1004)")
    void shouldRefuseAnotherConnectionsExclusiveQueue() throws IOException {
        peer.call(id -> new QueueDeclare(id, "sub.mine", false, true, false, false, Map.of()), QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> new Subscribe(id, 1, "sub.mine", "", "", 0, false, false),
                    ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.25 errors: subscribing to a queue that has an exclusive consumer is ERROR(request_id, 1004)")
    void shouldRefuseAQueueWithAnExclusiveConsumer() throws IOException {
        peer.declareQueue("sub.exclusive");
        peer.subscribe(id -> new Subscribe(id, 1, "sub.exclusive", "", "", 0, false, true));
        peer.callError(id -> new Subscribe(id, 2, "sub.exclusive", "", "", 0, false, false),
                ErrorCode.RESOURCE_LOCKED);
    }

    @Test
    @DisplayName("4.25 errors: an exclusive subscription to a queue that has consumers is ERROR(request_id, 1004)")
    void shouldRefuseExclusiveWhenThereAreConsumers() throws IOException {
        peer.declareQueue("sub.busy");
        peer.subscribe(1, "sub.busy", false, 0);
        peer.callError(id -> new Subscribe(id, 2, "sub.busy", "", "", 0, false, true), ErrorCode.RESOURCE_LOCKED);
    }

    @Test
    @DisplayName("4.25 errors: sid 0 is ERROR(request_id, 1005)")
    void shouldRefuseSidZero() throws IOException {
        peer.callError(id -> pattern(id, 0, "", "sub.zero"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.25 errors: a pattern invalid for the exchange's type is ERROR(request_id, 1005)")
    void shouldRefuseInvalidPatterns() throws IOException {
        peer.callError(id -> pattern(id, 1, "", "a*.b"), ErrorCode.INVALID_ARGUMENT);
        peer.declareExchange("sub.direct", "direct");
        peer.callError(id -> pattern(id, 1, "sub.direct", "a.#"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.25 errors, 1.5: a queue name or pattern of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseLongQueueNamesAndPatterns() throws IOException {
        peer.callError(id -> new Subscribe(id, 1, Bytes.name(256), "", "", 0, false, false),
                ErrorCode.INVALID_ARGUMENT);
        peer.callError(id -> pattern(id, 1, "", Bytes.name(256)), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.25 errors, 1.5: an exchange name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseALongExchangeName() throws IOException {
        peer.callError(id -> pattern(id, 1, Bytes.name(256), "a"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.25 errors, 7.1: a sid already active on the connection is ERROR(request_id, 1010)")
    void shouldRefuseASidInUse() throws IOException {
        peer.declareQueue("sub.sid");
        peer.subscribe(8, "sub.sid", false, 0);
        peer.callError(id -> new Subscribe(id, 8, "sub.sid", "", "", 0, false, false),
                ErrorCode.SUBSCRIPTION_ID_IN_USE);
        peer.callError(id -> pattern(id, 8, "", "sub.sid.other"), ErrorCode.SUBSCRIPTION_ID_IN_USE);
    }

    // ------------------------------------------------------------------------ CANCEL, CANCELLED

    @Test
    @DisplayName("4.27: CANCEL is OK(request_id, 0); after it no DELIVER for the sid, and the messages stay queued")
    void shouldStopDeliveringAfterCancel() throws IOException {
        peer.declareBoundQueue("sub.cancel");
        peer.subscribe(1, "sub.cancel", false, 0);
        assertThat(peer.call(id -> new Cancel(id, 1), Ok.class).count()).isZero();
        assertThat(peer.publishAcked("sub.cancel", "after")).isEmpty();
        peer.expectOpen();
        assertThat(peer.passive("sub.cancel").messageCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("4.27, 7.1: after CANCEL's OK the sid may be used again")
    void shouldFreeTheSidAfterCancel() throws IOException {
        peer.declareQueue("sub.reuse");
        peer.subscribe(1, "sub.reuse", false, 0);
        peer.call(id -> new Cancel(id, 1), Ok.class);
        peer.subscribe(1, "sub.reuse", false, 0);
    }

    @Test
    @DisplayName("4.27 errors: CANCEL of a sid with no active subscription is ERROR(request_id, 1002)")
    void shouldRefuseCancellingAnUnknownSid() throws IOException {
        peer.callError(id -> new Cancel(id, 77), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.27, 7.4: deliveries unacknowledged at CANCEL stay outstanding: ACK settles them")
    void shouldKeepUnackedDeliveriesAfterCancel() throws IOException {
        peer.declareBoundQueue("sub.cancel.unacked");
        peer.publishAcked("sub.cancel.unacked", "x");
        peer.subscribe(1, "sub.cancel.unacked", true, 10);
        Deliver d = peer.expect(Deliver.class);
        peer.call(id -> new Cancel(id, 1), Ok.class);
        peer.send(new Ack(d.deliveryTag(), false));
        peer.expectOpen();
        QueueInfo q = queues().stream().filter(i -> i.name().equals("sub.cancel.unacked")).findFirst().orElseThrow();
        assertThat(q.unacked()).isZero();
        assertThat(q.messages()).isZero();
    }

    @Test
    @DisplayName("4.27, 7.2, 1.2: the CANCEL of a pattern subscription deletes its queue (seen by the next frame)")
    void shouldDeleteThePatternQueueOnCancel() throws IOException {
        String queue = peer.call(id -> pattern(id, 3, "", "sub.gone"), SubscribeOk.class).queue();
        long cancel = peer.nextRequestId();
        long list = peer.nextRequestId();
        peer.sendTogether(List.of(new Cancel(cancel, 3), new QueueList(list)));
        List<Frame> answers = peer.readUntilAnswered(cancel, list);
        assertThat(Peer.only(answers, Ok.class).requestId()).isEqualTo(cancel);
        assertThat(Peer.only(answers, QueueListOk.class).queues()).extracting(QueueInfo::name).doesNotContain(queue);
    }

    @Test
    @DisplayName("4.28, 7.1: after CANCELLED the sid may be used again, and CANCEL of it is ERROR(request_id, 1002)")
    void shouldFreeTheSidAfterCancelled() throws IOException {
        peer.declareQueue("sub.deleted");
        peer.subscribe(6, "sub.deleted", false, 0);
        long delete = peer.nextRequestId();
        peer.send(new QueueDelete(delete, "sub.deleted", false, false));
        List<Frame> frames = peer.readUntilAnswered(delete);
        if (Peer.all(frames, Cancelled.class).isEmpty()) {
            peer.expect(Cancelled.class);
        }
        peer.callError(id -> new Cancel(id, 6), ErrorCode.NOT_FOUND);
        peer.call(id -> pattern(id, 6, "", "sub.deleted.again"), SubscribeOk.class);
    }
}
