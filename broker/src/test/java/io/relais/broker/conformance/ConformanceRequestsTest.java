package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 1.7 (requests and answers) and the "request_id 0" rows of section 4: a request with
 * request id 0 is not executed and gets ERROR(0, 1005); every request gets exactly one answer with
 * its request id; answers may come in any order; the server does not check uniqueness.
 */
@DisplayName("1.7 Requests and answers")
class ConformanceRequestsTest {
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker();
    private Peer peer;

    /** A request sent with id 0, what to set up first, and how to see that it was not executed. */
    private record ZeroId(String name, Step setUp, Request request, Step notExecuted) {
        @Override
        public String toString() {
            return name;
        }
    }

    private interface Step {
        void run(Peer p) throws IOException;
    }

    private static QueueDeclareOk passive(Peer p, String queue) throws IOException {
        return p.call(id -> new QueueDeclare(id, queue, false, false, false, true, Map.of()), QueueDeclareOk.class);
    }

    /** A mandatory publish with a confirm: true if it came back with RETURN (matched no queue). */
    private static boolean returned(Peer p, String routingKey) throws IOException {
        long seq = p.nextSeq();
        p.send(Peer.publish(seq, "", routingKey, Publish.MANDATORY, null, "x"));
        ConfirmLedger ledger = new ConfirmLedger();
        ledger.published(seq);
        List<Frame> frames = p.readConfirms(ledger);
        assertThat(ledger.acked(seq)).isTrue();
        return frames.stream().anyMatch(Return.class::isInstance);
    }

    private static List<ZeroId> zeroIds() {
        Step nothing = p -> { };
        return List.of(
                new ZeroId("EXCHANGE_DECLARE", nothing,
                        new ExchangeDeclare(0, "req.zero.x", "topic", false, false, false, Map.of()),
                        p -> p.callError(id -> new ExchangeDeclare(id, "req.zero.x", "topic", false, false, true,
                                Map.of()), ErrorCode.NOT_FOUND)),
                new ZeroId("EXCHANGE_DELETE", p -> p.declareExchange("req.zero.keep", "topic"),
                        new ExchangeDelete(0, "req.zero.keep", false),
                        p -> p.call(id -> new ExchangeDeclare(id, "req.zero.keep", "topic", false, false, true,
                                Map.of()), Ok.class)),
                new ZeroId("QUEUE_DECLARE", nothing, new QueueDeclare(0, "req.zero.q", false, false, false, false,
                        Map.of()),
                        p -> p.callError(id -> new QueueDeclare(id, "req.zero.q", false, false, false, true, Map.of()),
                                ErrorCode.NOT_FOUND)),
                new ZeroId("QUEUE_DELETE", p -> p.declareQueue("req.zero.kept"),
                        new QueueDelete(0, "req.zero.kept", false, false), p -> passive(p, "req.zero.kept")),
                new ZeroId("QUEUE_PURGE", p -> {
                    p.declareBoundQueue("req.zero.full");
                    p.send(Peer.publish(p.nextSeq(), "", "req.zero.full", "x"));
                    p.expect(Confirm.class);
                }, new QueuePurge(0, "req.zero.full"),
                        p -> assertThat(passive(p, "req.zero.full").messageCount()).isEqualTo(1)),
                new ZeroId("BIND", p -> p.declareQueue("req.zero.unbound"),
                        new Bind(0, "req.zero.unbound", "", "req.zero.bindkey", Map.of()),
                        p -> assertThat(returned(p, "req.zero.bindkey")).as("returned: the binding was not made")
                                .isTrue()),
                new ZeroId("UNBIND", p -> {
                    p.declareQueue("req.zero.bound");
                    p.bind("req.zero.bound", "", "req.zero.unbindkey");
                }, new Unbind(0, "req.zero.bound", "", "req.zero.unbindkey"),
                        p -> assertThat(returned(p, "req.zero.unbindkey")).as("returned: the binding is gone")
                                .isFalse()),
                new ZeroId("EXCHANGE_LIST", nothing, new ExchangeList(0), nothing),
                new ZeroId("QUEUE_LIST", nothing, new QueueList(0), nothing),
                new ZeroId("SUBSCRIBE", nothing, new Subscribe(0, 1, "", "", "req.zero.#", 0, false, false),
                        p -> p.call(id -> new Subscribe(id, 1, "", "", "req.zero.#", 0, false, false),
                                SubscribeOk.class)),
                new ZeroId("CANCEL", p -> p.call(id -> new Subscribe(id, 1, "", "", "req.zero.cancel", 0, false, false),
                        SubscribeOk.class), new Cancel(0, 1), p -> p.call(id -> new Cancel(id, 1), Ok.class)));
    }

    @TestFactory
    @DisplayName("1.7, 4.10-4.27: each request with request_id 0 is not executed and gets ERROR(0, 1005)")
    Stream<DynamicTest> shouldNotExecuteRequestsWithIdZero() {
        return FrameSamples.rows(zeroIds(), "1.7", "request_id 0: ERROR(0, 1005), not executed, connection open", r -> {
            try (Peer p = BROKER.open()) {
                r.setUp().run(p);
                p.send(r.request());
                p.expectError(0, ErrorCode.INVALID_ARGUMENT);
                p.expectOpen();
                r.notExecuted().run(p);
            }
        });
    }

    @Test
    @DisplayName("1.7: pipelined requests each get exactly one answer with their request id")
    void shouldAnswerEveryPipelinedRequestOnce() throws IOException {
        peer = BROKER.open();
        peer.declareBoundQueue("req.pipeline");
        List<Request> requests = List.of(
                new ExchangeDeclare(101, "req.pipeline.x", "fanout", false, false, false, Map.of()),
                new QueueDeclare(102, "req.pipeline.q", false, false, false, false, Map.of()),
                new Bind(103, "req.pipeline.q", "req.pipeline.x", "", Map.of()),
                new QueuePurge(104, "req.pipeline"),
                new ExchangeList(105),
                new QueueList(106),
                new Subscribe(107, 9, "req.pipeline", "", "", 0, false, false),
                new Unbind(108, "req.pipeline.q", "req.pipeline.x", ""),
                new Cancel(109, 9),
                new QueueDelete(110, "req.pipeline.q", false, false),
                new ExchangeDelete(111, "req.pipeline.x", false));
        for (Request r : requests) {
            peer.send(r);
        }
        List<Frame> frames = peer.readUntilAnswered(101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111);
        Map<Long, Integer> answers = new HashMap<>();
        for (Frame f : frames) {
            assertThat(f).as("only answers are expected").isInstanceOf(Answer.class);
            answers.merge(((Answer) f).requestId(), 1, Integer::sum);
        }
        assertThat(answers).as("answers per request id").hasSize(11).allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(Peer.all(frames, QueueListOk.class)).hasSize(1);
        assertThat(Peer.all(frames, SubscribeOk.class)).hasSize(1);
        peer.expectOpen();
    }

    @Test
    @DisplayName("1.7: the server does not check request ids for uniqueness: a reused id is answered twice")
    void shouldAnswerAReusedRequestIdAgain() throws IOException {
        peer = BROKER.open();
        peer.send(new ExchangeList(5));
        peer.send(new ExchangeList(5));
        assertThat(peer.read(2)).allSatisfy(f -> assertThat(f)
                .isInstanceOfSatisfying(ExchangeListOk.class, ok -> assertThat(ok.requestId()).isEqualTo(5)));
    }

    @Test
    @DisplayName("1.5, 1.7: the largest request id, 2^63-1, is carried back in the answer")
    void shouldEchoTheLargestRequestId() throws IOException {
        peer = BROKER.open();
        peer.send(new ExchangeList(Long.MAX_VALUE));
        assertThat(peer.expect(ExchangeListOk.class).requestId()).isEqualTo(Long.MAX_VALUE);
    }
}
