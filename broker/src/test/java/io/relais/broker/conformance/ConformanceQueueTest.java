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
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Reject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.12 QUEUE_DECLARE, 4.13 QUEUE_DECLARE_OK, 4.14 QUEUE_DELETE, 4.15 QUEUE_PURGE,
 * 4.20 QUEUE_LIST, 4.21 QUEUE_LIST_OK, and the queue rules of 5.2 (names, flags, arguments,
 * overflow, expiry, dead-lettering): every row of the error tables and the success answers.
 */
@DisplayName("4.12-4.15, 4.20, 4.21, 5.2 Queues")
class ConformanceQueueTest {
    /**
     * Checks that race the queue's event loop against the connection's run on this many queues: the
     * broker spreads queues over its loops, and a departure may show only when the two differ.
     */
    private static final int ROUNDS = 8;
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private final Peer peer;

    ConformanceQueueTest(Peer peer) {
        this.peer = peer;
    }

    private static QueueDeclare declare(long id, String name, boolean durable, boolean exclusive, boolean autoDelete,
                                        boolean passive, Map<String, Object> arguments) {
        return new QueueDeclare(id, name, durable, exclusive, autoDelete, passive, arguments);
    }

    private void declareFails(String name, boolean passive, Map<String, Object> arguments, ErrorCode code)
            throws IOException {
        peer.callError(id -> declare(id, name, false, false, false, passive, arguments), code);
    }

    private QueueInfo listed(String name) throws IOException {
        List<QueueInfo> queues = peer.call(QueueList::new, QueueListOk.class).queues();
        assertThat(queues).extracting(QueueInfo::name).as("queues listed").contains(name);
        return queues.stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
    }

    // ----------------------------------------------------------------------------- QUEUE_DECLARE

    @Test
    @DisplayName("4.12, 4.13: declaring a new queue is answered QUEUE_DECLARE_OK(request_id, name, 0, 0)")
    void shouldCreateAQueue() throws IOException {
        QueueDeclareOk ok = peer.declareQueue("q.new");
        assertThat(ok.name()).isEqualTo("q.new");
        assertThat(ok.messageCount()).isZero();
        assertThat(ok.consumerCount()).isZero();
    }

    @Test
    @DisplayName("4.12, 5.2.1: an empty name makes a server-named queue 'relais.gen.<random>', new each time")
    void shouldNameAQueueWhenAskedTo() throws IOException {
        String a = peer.call(id -> declare(id, "", false, true, false, false, Map.of()), QueueDeclareOk.class).name();
        String b = peer.call(id -> declare(id, "", false, true, false, false, Map.of()), QueueDeclareOk.class).name();
        assertThat(a).startsWith("relais.gen.").isNotEqualTo(b);
        assertThat(a.getBytes(StandardCharsets.UTF_8).length).isBetween(1, 255);
    }

    @Test
    @DisplayName("1.5, 4.12: a server-named queue is used by name like any other: redeclared with the same flags, OK")
    void shouldRedeclareAServerNamedQueueByName() throws IOException {
        String name = peer.call(id -> declare(id, "", false, true, false, false, Map.of()), QueueDeclareOk.class)
                .name();
        assertThat(peer.call(id -> declare(id, name, false, true, false, false, Map.of()), QueueDeclareOk.class)
                .name()).isEqualTo(name);
        assertThat(peer.passive(name).name()).isEqualTo(name);
    }

    @Test
    @DisplayName("4.12, 4.13: passive declare of an existing queue gives its ready messages and consumers")
    void shouldCountMessagesAndConsumers() throws IOException {
        peer.declareBoundQueue("q.counted");
        peer.publishAcked("q.counted", "1");
        peer.publishAcked("q.counted", "2");
        assertThat(peer.passive("q.counted").messageCount()).isEqualTo(2);
        try (Peer other = BROKER.open()) {
            other.subscribe(1, "q.counted", true, 1);
            other.expect(Deliver.class);
            QueueDeclareOk ok = other.call(id -> declare(id, "q.counted", true, true, true, true, Map.of()),
                    QueueDeclareOk.class);
            assertThat(ok.messageCount()).as("ready, not counting the unacknowledged one").isEqualTo(1);
            assertThat(ok.consumerCount()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("4.12: redeclaring with the same flags and arguments is QUEUE_DECLARE_OK")
    void shouldAcceptAnIdenticalRedeclare() throws IOException {
        Map<String, Object> args = Map.of("max-length", 10L, "overflow", "reject-publish");
        peer.declareQueue("q.same", args);
        assertThat(peer.declareQueue("q.same", args).name()).isEqualTo("q.same");
    }

    @Test
    @DisplayName("4.12 errors: passive declare of a missing queue is ERROR(request_id, 1002)")
    void shouldRefuseAPassiveDeclareOfAMissingQueue() throws IOException {
        declareFails("q.missing", true, Map.of(), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.12 errors: redeclaring with another durable, exclusive or auto_delete flag is ERROR(request_id, "
            + "1003)")
    void shouldRefuseOtherFlags() throws IOException {
        peer.declareQueue("q.flags");
        peer.callError(id -> declare(id, "q.flags", true, false, false, false, Map.of()),
                ErrorCode.PRECONDITION_FAILED);
        peer.callError(id -> declare(id, "q.flags", false, true, false, false, Map.of()),
                ErrorCode.PRECONDITION_FAILED);
        peer.callError(id -> declare(id, "q.flags", false, false, true, false, Map.of()),
                ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: redeclaring with other argument values is ERROR(request_id, 1003)")
    void shouldRefuseOtherArguments() throws IOException {
        peer.declareQueue("q.args", Map.of("max-length", 10L));
        declareFails("q.args", false, Map.of("max-length", 11L), ErrorCode.PRECONDITION_FAILED);
        declareFails("q.args", false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.12 errors, 1.5: creating a name that starts with 'relais.' is ERROR(request_id, 1003)")
    void shouldRefuseAReservedName() throws IOException {
        declareFails("relais.mine", false, Map.of(), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.2: a queue exclusive to another connection is ERROR(request_id, 1004), passive or "
            + "not")
    void shouldRefuseAnotherConnectionsExclusiveQueue() throws IOException {
        peer.call(id -> declare(id, "q.mine", false, true, false, false, Map.of()), QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> declare(id, "q.mine", false, true, false, true, Map.of()), ErrorCode.RESOURCE_LOCKED);
            other.callError(id -> declare(id, "q.mine", false, true, false, false, Map.of()),
                    ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.12 errors, 1.5: a name of 256 bytes is ERROR(request_id, 1005); 255 bytes is fine")
    void shouldRefuseANameAboveTheLimit() throws IOException {
        declareFails(Bytes.name(256), false, Map.of(), ErrorCode.INVALID_ARGUMENT);
        peer.declareQueue(Bytes.name(255));
    }

    @Test
    @DisplayName("4.12 errors, 1.5: a passive declare of a name of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseAPassiveNameAboveTheLimit() throws IOException {
        declareFails(Bytes.name(256), true, Map.of(), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors: passive with an empty name is ERROR(request_id, 1005)")
    void shouldRefuseAPassiveDeclareWithoutAName() throws IOException {
        declareFails("", true, Map.of(), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: an unknown argument key is ERROR(request_id, 1005)")
    void shouldRefuseAnUnknownArgument() throws IOException {
        declareFails("q.unknown", false, Map.of("x-priority", 1L), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: argument values of the wrong type are ERROR(request_id, 1005)")
    void shouldRefuseArgumentsOfTheWrongType() throws IOException {
        declareFails("q.types", false, Map.of("message-ttl", "1000"), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.types", false, Map.of("max-length", true), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.types", false, Map.of("max-length-bytes", 1.5), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.types", false, Map.of("overflow", 1L), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.types", false, Map.of("dead-letter-exchange", 7L), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: argument values out of range are ERROR(request_id, 1005)")
    void shouldRefuseArgumentsOutOfRange() throws IOException {
        declareFails("q.range", false, Map.of("message-ttl", 0L), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.range", false, Map.of("message-ttl", -5L), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.range", false, Map.of("max-length", -1L), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.range", false, Map.of("overflow", "drop-tail"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: dead-letter-routing-key without dead-letter-exchange is ERROR(request_id, 1005)")
    void shouldRefuseARoutingKeyWithoutAnExchange() throws IOException {
        declareFails("q.dlrk", false, Map.of("dead-letter-routing-key", "k"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: a dead-letter-routing-key with '*' or '#' is ERROR(request_id, 1005)")
    void shouldRefuseAPatternAsDeadLetterRoutingKey() throws IOException {
        declareFails("q.dlrk.bad", false, Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "a.*"),
                ErrorCode.INVALID_ARGUMENT);
        declareFails("q.dlrk.bad", false, Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "#"),
                ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.12 errors, 5.2.3: a dead-letter-exchange or -routing-key of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseLongDeadLetterNames() throws IOException {
        declareFails("q.dlx.long", false, Map.of("dead-letter-exchange", Bytes.name(256)), ErrorCode.INVALID_ARGUMENT);
        declareFails("q.dlx.long", false, Map.of("dead-letter-exchange", "", "dead-letter-routing-key",
                Bytes.name(256)), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("5.2.3: max-length 0 is a valid uint: the queue is declared, and each new message is removed at once")
    void shouldAcceptMaxLengthZero() throws IOException {
        peer.declareQueue("q.zero", Map.of("max-length", 0L));
        peer.bind("q.zero", "", "q.zero");
        peer.publishAcked("q.zero", "gone");
        assertThat(peer.passive("q.zero").messageCount()).isZero();
    }

    @Test
    @DisplayName("5.2.3: max-length-bytes 0 is a valid uint: the queue is declared")
    void shouldAcceptMaxLengthBytesZero() throws IOException {
        peer.declareQueue("q.zero.bytes", Map.of("max-length-bytes", 0L));
    }

    @Test
    @DisplayName("4.12, 5.2.2: a durable queue is created and listed as durable")
    void shouldCreateADurableQueue() throws IOException {
        peer.patiently(() -> peer.call(id -> declare(id, "q.durable", true, false, false, false, Map.of()),
                QueueDeclareOk.class));
        assertThat(listed("q.durable").durable()).isTrue();
    }

    // ------------------------------------------------------------------------------ QUEUE_DELETE

    @Test
    @DisplayName("4.14: QUEUE_DELETE is OK(request_id, ready messages discarded); the queue is gone")
    void shouldDeleteAQueueAndCountItsMessages() throws IOException {
        peer.declareBoundQueue("q.del");
        peer.publishAcked("q.del", "1");
        peer.publishAcked("q.del", "2");
        assertThat(peer.call(id -> new QueueDelete(id, "q.del", false, false), Ok.class).count()).isEqualTo(2);
        declareFails("q.del", true, Map.of(), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.14 errors: deleting a missing queue is ERROR(request_id, 1002)")
    void shouldRefuseDeletingAMissingQueue() throws IOException {
        peer.callError(id -> new QueueDelete(id, "q.never", false, false), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.14 errors: if_unused on a queue with a subscription is ERROR(request_id, 1003)")
    void shouldHonourIfUnused() throws IOException {
        peer.declareQueue("q.used");
        peer.subscribe(1, "q.used", false, 0);
        peer.callError(id -> new QueueDelete(id, "q.used", true, false), ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    @DisplayName("4.14 errors: if_empty on a queue with ready messages is ERROR(request_id, 1003); when empty, OK")
    void shouldHonourIfEmpty() throws IOException {
        peer.declareBoundQueue("q.full");
        peer.publishAcked("q.full", "1");
        peer.callError(id -> new QueueDelete(id, "q.full", false, true), ErrorCode.PRECONDITION_FAILED);
        peer.declareQueue("q.empty");
        assertThat(peer.call(id -> new QueueDelete(id, "q.empty", true, true), Ok.class).count()).isZero();
    }

    @Test
    @DisplayName("4.14 errors: deleting a queue exclusive to another connection is ERROR(request_id, 1004)")
    void shouldRefuseDeletingAnotherConnectionsQueue() throws IOException {
        peer.call(id -> declare(id, "q.mine.del", false, true, false, false, Map.of()), QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> new QueueDelete(id, "q.mine.del", false, false), ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.14 errors: an empty name or one of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefuseDeletingBadNames() throws IOException {
        peer.callError(id -> new QueueDelete(id, "", false, false), ErrorCode.INVALID_ARGUMENT);
        peer.callError(id -> new QueueDelete(id, Bytes.name(256), false, false), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("4.14, 5.2.2: deleting a queue ends its subscriptions on other connections with CANCELLED(sid, 1011)")
    void shouldCancelOtherConnectionsSubscriptions() throws IOException {
        peer.declareQueue("q.shared");
        try (Peer other = BROKER.open()) {
            other.subscribe(4, "q.shared", false, 0);
            peer.call(id -> new QueueDelete(id, "q.shared", false, false), Ok.class);
            Cancelled c = other.expect(Cancelled.class);
            assertThat(c.sid()).isEqualTo(4);
            assertThat(c.code()).isEqualTo(ErrorCode.QUEUE_DELETED.code());
            other.callError(id -> new Cancel(id, 4), ErrorCode.NOT_FOUND);
        }
    }

    @Test
    @DisplayName("4.14, 7.4: deliveries unacknowledged when their queue is deleted stay outstanding: ACK settles them")
    void shouldKeepUnackedDeliveriesOfADeletedQueue() throws IOException {
        peer.declareBoundQueue("q.unacked");
        peer.publishAcked("q.unacked", "1");
        peer.publishAcked("q.unacked", "2");
        try (Peer other = BROKER.open()) {
            other.subscribe(1, "q.unacked", true, 1);
            Deliver d = other.expect(Deliver.class);
            assertThat(peer.call(id -> new QueueDelete(id, "q.unacked", false, false), Ok.class).count())
                    .as("ready messages discarded, not counting the unacknowledged one").isEqualTo(1);
            other.expect(Cancelled.class);
            other.send(new Ack(d.deliveryTag(), false));
            other.expectOpen();
        }
    }

    // ------------------------------------------------------------------------------- QUEUE_PURGE

    @Test
    @DisplayName("4.15: QUEUE_PURGE is OK(request_id, messages removed) and leaves unacknowledged deliveries alone")
    void shouldPurgeReadyMessagesOnly() throws IOException {
        peer.declareBoundQueue("q.purge");
        for (int i = 0; i < 3; i++) {
            peer.publishAcked("q.purge", "m" + i);
        }
        try (Peer other = BROKER.open()) {
            other.subscribe(1, "q.purge", true, 1);
            Deliver d = other.expect(Deliver.class);
            assertThat(peer.call(id -> new QueuePurge(id, "q.purge"), Ok.class).count()).isEqualTo(2);
            assertThat(listed("q.purge").unacked()).isEqualTo(1);
            other.send(new Ack(d.deliveryTag(), false));
            other.expectOpen();
        }
    }

    @Test
    @DisplayName("4.15 errors: purging a missing queue is ERROR(request_id, 1002)")
    void shouldRefusePurgingAMissingQueue() throws IOException {
        peer.callError(id -> new QueuePurge(id, "q.never"), ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("4.15 errors: purging a queue exclusive to another connection is ERROR(request_id, 1004)")
    void shouldRefusePurgingAnotherConnectionsQueue() throws IOException {
        peer.call(id -> declare(id, "q.mine.purge", false, true, false, false, Map.of()), QueueDeclareOk.class);
        try (Peer other = BROKER.open()) {
            other.callError(id -> new QueuePurge(id, "q.mine.purge"), ErrorCode.RESOURCE_LOCKED);
        }
    }

    @Test
    @DisplayName("4.15 errors: an empty name or one of 256 bytes is ERROR(request_id, 1005)")
    void shouldRefusePurgingBadNames() throws IOException {
        peer.callError(id -> new QueuePurge(id, ""), ErrorCode.INVALID_ARGUMENT);
        peer.callError(id -> new QueuePurge(id, Bytes.name(256)), ErrorCode.INVALID_ARGUMENT);
    }

    // -------------------------------------------------------------------------------- QUEUE_LIST

    @Test
    @DisplayName("4.20, 4.21: QUEUE_LIST_OK gives flags and counts, and includes other connections' exclusive queues")
    void shouldListQueuesWithTheirCounts() throws IOException {
        try (Peer other = BROKER.open()) {
            other.call(id -> declare(id, "q.listed.excl", false, true, true, false, Map.of()), QueueDeclareOk.class);
            other.declareBoundQueue("q.listed");
            other.publishAcked("q.listed", "1");
            other.publishAcked("q.listed", "2");
            other.subscribe(1, "q.listed", true, 1);
            other.expect(Deliver.class);
            QueueInfo q = listed("q.listed");
            assertThat(q.durable()).isFalse();
            assertThat(q.exclusive()).isFalse();
            assertThat(q.autoDelete()).isFalse();
            assertThat(q.messages()).isEqualTo(1);
            assertThat(q.unacked()).isEqualTo(1);
            assertThat(q.consumers()).isEqualTo(1);
            QueueInfo e = listed("q.listed.excl");
            assertThat(e.exclusive()).isTrue();
            assertThat(e.autoDelete()).isTrue();
        }
    }

    // ----------------------------------------------------------------------- 5.2 flags and arguments

    @Test
    @DisplayName("5.2.2, 4.27, 1.2: an auto-delete queue is deleted by the CANCEL of its last subscription, "
            + "as the next frame sees (8 queues)")
    void shouldAutoDeleteAfterTheLastSubscription() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            String queue = "q.auto." + round;
            peer.call(id -> declare(id, queue, false, false, true, false, Map.of()), QueueDeclareOk.class);
            peer.subscribe(round + 1, queue, false, 0);
            long cancel = peer.nextRequestId();
            long check = peer.nextRequestId();
            peer.sendTogether(List.of(new Cancel(cancel, round + 1),
                    declare(check, queue, false, false, true, true, Map.of())));
            assertThat(peer.expect(Ok.class).requestId()).isEqualTo(cancel);
            peer.expectError(check, ErrorCode.NOT_FOUND);
        }
    }

    @Test
    @DisplayName("5.2.2: a new auto-delete queue without subscriptions stays until deleted")
    void shouldKeepANewAutoDeleteQueue() throws IOException {
        peer.call(id -> declare(id, "q.auto.fresh", false, false, true, false, Map.of()), QueueDeclareOk.class);
        peer.passive("q.auto.fresh");
    }

    @Test
    @DisplayName("5.2.3: drop-head overflow keeps the newest max-length messages")
    void shouldDropTheOldestWhenFull() throws IOException {
        peer.declareQueue("q.drophead", Map.of("max-length", 1L));
        peer.bind("q.drophead", "", "q.drophead");
        peer.publishAcked("q.drophead", "old");
        peer.publishAcked("q.drophead", "new");
        peer.subscribe(1, "q.drophead", false, 0);
        assertThat(Peer.text(peer.expect(Deliver.class))).isEqualTo("new");
        peer.expectOpen();
    }

    @Test
    @DisplayName("4.13, 5.2.3: message_count never exceeds max-length, even right after a burst of publishes "
            + "(8 queues)")
    void shouldNeverCountMoreReadyMessagesThanMaxLength() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            String queue = "q.burst." + round;
            peer.declareQueue(queue, Map.of("max-length", 1L));
            peer.bind(queue, "", queue);
            List<Frame> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(Peer.publish(0, "", queue, "m" + i));
            }
            long id = peer.nextRequestId();
            burst.add(declare(id, queue, false, false, false, true, Map.of()));
            peer.sendTogether(burst);
            QueueDeclareOk ok = peer.expect(QueueDeclareOk.class);
            assertThat(ok.requestId()).isEqualTo(id);
            assertThat(ok.messageCount()).as("round %d: ready messages in a queue with max-length 1", round)
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    @DisplayName("5.2.3: a message with expiration 0 is delivered when a consumer can take it at once")
    void shouldDeliverExpirationZeroToAWaitingConsumer() throws IOException {
        peer.declareBoundQueue("q.exp0.waiting");
        try (Peer consumer = BROKER.open()) {
            consumer.subscribe(1, "q.exp0.waiting", false, 0);
            peer.publishAcked("", "q.exp0.waiting", 0, Properties.builder().expiration(0L).build(), "now");
            Deliver d = consumer.expect(Deliver.class);
            assertThat(Peer.text(d)).isEqualTo("now");
            assertThat(d.properties().expiration()).as("expiration delivered unchanged").isZero();
        }
    }

    @Test
    @DisplayName("5.2.3: a message with expiration 0 that no consumer can take at once expires, never delivered")
    void shouldExpireExpirationZeroWithoutAConsumer() throws IOException {
        peer.declareBoundQueue("q.exp0.idle");
        peer.publishAcked("", "q.exp0.idle", 0, Properties.builder().expiration(0L).build(), "expired");
        peer.publishAcked("q.exp0.idle", "kept");
        peer.subscribe(1, "q.exp0.idle", false, 0);
        assertThat(Peer.text(peer.expect(Deliver.class))).isEqualTo("kept");
    }

    @Test
    @DisplayName("1.4, 5.2.3: the expiration property is delivered unchanged")
    void shouldDeliverExpirationUnchanged() throws IOException {
        peer.declareBoundQueue("q.exp");
        peer.subscribe(1, "q.exp", false, 0);
        List<Frame> frames = peer.publishAcked("", "q.exp", 0, Properties.builder().expiration(60_000L).build(), "x");
        Deliver d = frames.isEmpty() ? peer.expect(Deliver.class) : Peer.only(frames, Deliver.class);
        assertThat(d.properties().expiration()).isEqualTo(60_000L);
    }

    @Test
    @DisplayName("5.2.3, 4.32: a rejected message is dead-lettered with the x-death headers and without expiration")
    void shouldDeadLetterARejectedMessage() throws IOException {
        peer.declareQueue("q.dlq");
        peer.bind("q.dlq", "", "dead.q.source");
        peer.declareQueue("q.source", Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "dead.q.source"));
        peer.bind("q.source", "", "q.source");
        peer.publishAcked("", "q.source", 0, Properties.builder().expiration(60_000L).contentType("text/plain")
                .build(), "bad");
        peer.subscribe(1, "q.source", true, 1);
        Deliver first = peer.expect(Deliver.class);
        peer.send(new Reject(first.deliveryTag(), false));
        peer.subscribe(2, "q.dlq", false, 0);
        Deliver dead = peer.expect(Deliver.class);
        assertThat(Peer.text(dead)).isEqualTo("bad");
        assertThat(dead.routingKey()).isEqualTo("dead.q.source");
        assertThat(dead.properties().contentType()).isEqualTo("text/plain");
        assertThat(dead.properties().expiration()).isNull();
        assertThat(dead.properties().headers()).containsEntry("x-death-reason", "rejected")
                .containsEntry("x-death-queue", "q.source").containsEntry("x-death-exchange", "")
                .containsEntry("x-death-routing-key", "q.source").containsEntry("x-death-count", 1L);
    }
}
