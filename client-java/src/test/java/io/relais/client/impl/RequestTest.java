package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.client.DeclaredQueue;
import io.relais.client.ExchangeType;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestTest {
    private MockServer server;
    private RelaisClient client;

    private RelaisClient connect(Function<Frame, List<Frame>> script, Duration requestTimeout) throws Exception {
        server = new MockServer().script(script).start();
        client = server.clientBuilder().requestTimeout(requestTimeout).connect();
        return client;
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    @Test
    void shouldMatchAnswersByRequestIdWhenTheyArriveOutOfOrder() throws Exception {
        List<QueueDeclare> held = new ArrayList<>();
        connect(frame -> {
            QueueDeclare d = (QueueDeclare) frame;
            held.add(d);
            if (held.size() < 3) {
                return List.of();
            }
            List<Frame> answers = new ArrayList<>();
            for (int i = held.size() - 1; i >= 0; i--) {
                QueueDeclare q = held.get(i);
                answers.add(new QueueDeclareOk(q.requestId(), q.name(), i, 10 + i));
            }
            return answers;
        }, Duration.ofSeconds(5));

        CompletableFuture<DeclaredQueue> a = client.declareQueue(QueueDeclaration.named("a"));
        CompletableFuture<DeclaredQueue> b = client.declareQueue(QueueDeclaration.named("b").durable(true));
        CompletableFuture<DeclaredQueue> c = client.declareQueue(QueueDeclaration.named("c"));

        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(new DeclaredQueue("a", 0, 10));
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(new DeclaredQueue("b", 1, 11));
        assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo(new DeclaredQueue("c", 2, 12));
        assertThat(held).extracting(QueueDeclare::requestId).doesNotHaveDuplicates();
        assertThat(held.get(1).durable()).isTrue();
    }

    @Test
    void shouldFailWithCodeWhenServerAnswersError() throws Exception {
        connect(frame -> List.of(new ErrorFrame(((ExchangeDeclare) frame).requestId(),
                ErrorCode.PRECONDITION_FAILED.code(), "exchange 'x' exists with type fanout")), Duration.ofSeconds(5));

        CompletableFuture<Void> f = client.declareExchange("x", ExchangeType.TOPIC, true, false);

        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(RelaisException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
                    assertThat(e.rawCode()).isEqualTo(1003);
                })
                .hasMessage("exchange 'x' exists with type fanout");
        ExchangeDeclare sent = server.take(ExchangeDeclare.class);
        assertThat(sent.exchangeType()).isEqualTo("topic");
        assertThat(sent.durable()).isTrue();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void shouldTimeOutWhenServerNeverAnswers() throws Exception {
        connect(frame -> List.of(), Duration.ofMillis(200));

        CompletableFuture<Long> f = client.purgeQueue("q");

        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isNull())
                .hasMessage("timed out after 200ms waiting for the answer to QUEUE_PURGE 'q'");
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void shouldMapAnswersWhenRequestsSucceed() throws Exception {
        List<ExchangeInfo> exchanges = List.of(new ExchangeInfo("", "topic", true, false, 0),
                new ExchangeInfo("logs", "fanout", false, true, 2));
        List<QueueInfo> queues = List.of(new QueueInfo("q", true, false, false, 5, 1, 2));
        connect(frame -> {
            if (frame instanceof ExchangeList l) {
                return List.of(new ExchangeListOk(l.requestId(), exchanges));
            } else if (frame instanceof QueueList l) {
                return List.of(new QueueListOk(l.requestId(), queues));
            } else if (frame instanceof QueueDelete d) {
                return List.of(new Ok(d.requestId(), 42));
            } else if (frame instanceof Bind b) {
                return List.of(new Ok(b.requestId(), 0));
            }
            return List.of();
        }, Duration.ofSeconds(5));

        assertThat(client.listExchanges().get(5, TimeUnit.SECONDS)).isEqualTo(exchanges);
        assertThat(client.listQueues().get(5, TimeUnit.SECONDS)).isEqualTo(queues);
        assertThat(client.deleteQueue("q", true, false).get(5, TimeUnit.SECONDS)).isEqualTo(42L);
        assertThat(client.bind("q", "logs", "#").get(5, TimeUnit.SECONDS)).isNull();

        server.take(ExchangeList.class);
        server.take(QueueList.class);
        QueueDelete delete = server.take(QueueDelete.class);
        assertThat(delete.ifUnused()).isTrue();
        assertThat(delete.ifEmpty()).isFalse();
        assertThat(server.take(Bind.class)).extracting(Bind::queue, Bind::exchange, Bind::pattern)
                .containsExactly("q", "logs", "#");
    }

    @Test
    void shouldReportErrorToListenersWhenErrorHasNoRequestId() throws Exception {
        connect(frame -> List.of(), Duration.ofSeconds(5));
        LinkedBlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        client.onError(e -> {
            threads.add(Thread.currentThread().getName());
            errors.add(e);
        });

        server.send(new ErrorFrame(0, ErrorCode.UNKNOWN_DELIVERY_TAG.code(), "unknown delivery tag 7"));

        RelaisException e = errors.poll(5, TimeUnit.SECONDS);
        assertThat(e).isNotNull().hasMessage("unknown delivery tag 7");
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DELIVERY_TAG);
        assertThat(threads.poll()).startsWith("relais-handler-");
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void shouldFailImmediatelyWhenClientIsClosed() throws Exception {
        connect(frame -> List.of(), Duration.ofSeconds(5));
        client.close();

        assertThatThrownBy(() -> client.purgeQueue("q").get(1, TimeUnit.SECONDS))
                .cause().isInstanceOf(RelaisException.class).hasMessage("connection closed");
    }
}
