package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 3.5 (closing, client side), 4.6 CLOSE and 4.7 CLOSE_OK: a client CLOSE is answered
 * with CLOSE_OK after the answers to everything sent before it, and what the server does when a
 * connection closes (requeue, exclusive and pattern queues deleted).
 */
@DisplayName("3.5, 4.6, 4.7 Closing by the client")
class ConformanceCloseTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private Peer peer;

    /** Frames sent together with a CLOSE right behind them, and the answers that must come before CLOSE_OK. */
    private record BeforeClose(String name, SetUp setUp, List<LongFunction<Frame>> frames, List<FrameType> answers) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What a row needs on the server before its frames are sent. */
    private interface SetUp {
        void run(Peer p) throws IOException;
    }

    private static String fresh(String prefix) {
        return "close." + prefix + NAMES.incrementAndGet();
    }

    @Test
    @DisplayName("4.6: CLOSE with an error code and a reason is answered CLOSE_OK, and nothing after it")
    void shouldAnswerCloseWithACode() throws IOException {
        peer = BROKER.open();
        peer.send(new Close(ErrorCode.UNEXPECTED_FRAME.code(), "the server sent something odd"));
        peer.expectCloseOk();
    }

    /** Every kind of frame whose answer must still come before CLOSE_OK. */
    private static List<BeforeClose> beforeClose() {
        String purged = fresh("purged");
        String deleted = fresh("deleted");
        String subscribed = fresh("subscribed");
        String routed = fresh("routed");
        String durable = fresh("durable");
        return List.of(
                new BeforeClose("EXCHANGE_LIST", p -> { }, List.of(ExchangeList::new),
                        List.of(FrameType.EXCHANGE_LIST_OK)),
                new BeforeClose("QUEUE_DECLARE", p -> { },
                        List.of(id -> new QueueDeclare(id, fresh("declared"), false, false, false, false, Map.of())),
                        List.of(FrameType.QUEUE_DECLARE_OK)),
                new BeforeClose("QUEUE_PURGE", p -> p.declareQueue(purged),
                        List.of(id -> new QueuePurge(id, purged)), List.of(FrameType.OK)),
                new BeforeClose("QUEUE_DELETE", p -> p.declareQueue(deleted),
                        List.of(id -> new QueueDelete(id, deleted, false, false)), List.of(FrameType.OK)),
                new BeforeClose("a failing QUEUE_DELETE", p -> { },
                        List.of(id -> new QueueDelete(id, fresh("missing"), false, false)), List.of(FrameType.ERROR)),
                new BeforeClose("SUBSCRIBE", p -> p.declareQueue(subscribed),
                        List.of(id -> new Subscribe(id, 1, subscribed, "", "", 0, false, false)),
                        List.of(FrameType.SUBSCRIBE_OK)),
                new BeforeClose("SUBSCRIBE and CANCEL", p -> { },
                        List.of(id -> new Subscribe(id, 1, "", "", "close.#", 0, false, false),
                                id -> new Cancel(id, 1)),
                        List.of(FrameType.SUBSCRIBE_OK, FrameType.OK)),
                new BeforeClose("PUBLISH with seq to a queue", p -> p.declareBoundQueue(routed),
                        List.of(id -> Peer.publish(1, "", routed, "x")), List.of(FrameType.CONFIRM)),
                new BeforeClose("persistent PUBLISH with seq to a durable queue", p -> {
                    p.call(id -> new QueueDeclare(id, durable, true, false, false, false, Map.of()),
                            QueueDeclareOk.class);
                    p.bind(durable, "", durable);
                }, List.of(id -> Peer.publish(1, "", durable, Publish.PERSISTENT, null, "x")),
                        List.of(FrameType.CONFIRM)),
                new BeforeClose("mandatory PUBLISH that matches no queue", p -> { },
                        List.of(id -> Peer.publish(1, "", fresh("nowhere"), Publish.MANDATORY, null, "x")),
                        List.of(FrameType.RETURN, FrameType.CONFIRM)),
                new BeforeClose("ACK of an unknown tag", p -> { }, List.of(id -> new Ack(42, false)),
                        List.of(FrameType.ERROR)));
    }

    @TestFactory
    @DisplayName("3.5 step 1: answers, CONFIRMs, RETURNs, ERRORs for frames sent (in one write) before CLOSE precede "
            + "CLOSE_OK")
    Stream<DynamicTest> shouldAnswerEverythingBeforeCloseOk() {
        return FrameSamples.rows(beforeClose(), "3.5", "answered before CLOSE_OK", c -> {
            try (Peer p = BROKER.open()) {
                p.patiently(() -> {
                    c.setUp().run(p);
                    List<Frame> frames = new ArrayList<>();
                    for (LongFunction<Frame> f : c.frames()) {
                        frames.add(f.apply(p.nextRequestId()));
                    }
                    frames.add(new Close(0, "bye"));
                    p.sendTogether(frames);
                    List<Frame> answers = p.readUntil(read -> !read.isEmpty()
                            && read.get(read.size() - 1) instanceof CloseOk);
                    assertThat(answers).as("frames before CLOSE_OK, DELIVERs aside")
                            .filteredOn(f -> !(f instanceof Deliver) && !(f instanceof CloseOk))
                            .extracting(Frame::type).containsExactlyInAnyOrderElementsOf(c.answers());
                });
            }
        });
    }

    @Test
    @DisplayName("3.5, 7.4, 7.5: deliveries unacknowledged when a connection closes are requeued, redelivered")
    void shouldRequeueUnackedDeliveriesOnClose() throws IOException {
        String queue = fresh("requeue");
        peer = BROKER.open();
        peer.declareBoundQueue(queue);
        peer.publishAcked(queue, "again");
        try (Peer consumer = BROKER.open()) {
            consumer.subscribe(1, queue, true, 10);
            assertThat(consumer.expect(Deliver.class).flags() & Deliver.REDELIVERED).isZero();
            consumer.send(new Close(0, "bye"));
            consumer.expectCloseOk();
        }
        peer.subscribe(1, queue, true, 10);
        Deliver d = peer.expect(Deliver.class);
        assertThat(Peer.text(d)).isEqualTo("again");
        assertThat(d.flags() & Deliver.REDELIVERED).as("redelivered flag").isEqualTo(Deliver.REDELIVERED);
    }

    @Test
    @DisplayName("3.5, 5.2.2: the exclusive queues of a connection are deleted when it closes")
    void shouldDeleteExclusiveQueuesOnClose() throws IOException {
        String queue = fresh("exclusive");
        try (Peer owner = BROKER.open()) {
            owner.call(id -> new QueueDeclare(id, queue, false, true, false, false, Map.of()), QueueDeclareOk.class);
            owner.send(new Close(0, "bye"));
            owner.expectCloseOk();
        }
        peer = BROKER.open();
        peer.eventually(() -> peer.callError(id -> new QueueDeclare(id, queue, false, true, false, true, Map.of()),
                ErrorCode.NOT_FOUND));
    }

    @Test
    @DisplayName("3.5, 5.2.2: an auto-delete queue whose last subscriber's connection closes is deleted")
    void shouldAutoDeleteQueuesWhenTheirLastSubscriberCloses() throws IOException {
        String queue = fresh("auto");
        peer = BROKER.open();
        peer.call(id -> new QueueDeclare(id, queue, false, false, true, false, Map.of()), QueueDeclareOk.class);
        try (Peer subscriber = BROKER.open()) {
            subscriber.subscribe(1, queue, false, 0);
            subscriber.send(new Close(0, "bye"));
            subscriber.expectCloseOk();
        }
        peer.eventually(() -> peer.callError(id -> new QueueDeclare(id, queue, false, false, true, true, Map.of()),
                ErrorCode.NOT_FOUND));
    }

    @Test
    @DisplayName("3.5, 7.2: the pattern-subscription queues of a connection are deleted when it closes")
    void shouldDeletePatternQueuesOnClose() throws IOException {
        String queue;
        try (Peer owner = BROKER.open()) {
            queue = owner.call(id -> new Subscribe(id, 1, "", "", "close.pattern.#", 0, false, false),
                    SubscribeOk.class).queue();
            owner.send(new Close(0, "bye"));
            owner.expectCloseOk();
        }
        peer = BROKER.open();
        String gone = queue;
        peer.eventually(() -> assertThat(peer.call(QueueList::new, QueueListOk.class).queues())
                .extracting(QueueInfo::name).doesNotContain(gone));
    }
}
