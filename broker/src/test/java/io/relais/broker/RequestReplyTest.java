package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.Reply;
import io.relais.client.RequestTimeoutException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.QueueInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request/reply (PROTOCOL.md section 8) through a real broker with the real Java client on both sides. */
@ExtendWith(LeakCheck.class)
class RequestReplyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = new BrokerFixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(CompletableFuture<Delivery> reply) throws Exception {
        return reply.get(10, TimeUnit.SECONDS).payloadAsString();
    }

    /** {@code f} fails within {@code within} with a cause of {@code type}; returns that cause. */
    private static <T extends Throwable> T failure(CompletableFuture<?> f, Duration within, Class<T> type) {
        Throwable thrown = catchThrowable(() -> f.get(within.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(thrown).as("failure within " + within).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(type);
        return type.cast(thrown.getCause());
    }

    @Test
    void shouldAnswerWithTheHandlersReplyWhenAResponderListens() throws Exception {
        RelaisClient responder = fixture.client();
        responder.reply("echo", request -> Reply.of("re: " + request.payloadAsString())).join();

        RelaisClient requester = fixture.client();
        Delivery reply = requester.request("echo", utf8("hi"), TIMEOUT).get(10, TimeUnit.SECONDS);

        assertThat(reply.payloadAsString()).isEqualTo("re: hi");
        assertThat(reply.routingKey()).isEqualTo("_reply." + requester.connectionId());
    }

    @Test
    void shouldMatchEveryReplyToItsRequestWhenManyThreadsRequestAtOnce() throws Exception {
        fixture.client().reply("upper", request -> Reply.of(request.payloadAsString().toUpperCase())).join();
        RelaisClient requester = fixture.client();
        int threads = 8;
        int perThread = 1250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<CompletableFuture<Delivery>> replies = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        replies.add(requester.request("upper", utf8("t" + thread + "-m" + i), TIMEOUT));
                    }
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String got = text(replies.get(i));
                        if (!got.equals("T" + thread + "-M" + i)) {
                            mismatches.add("t" + thread + "-m" + i + " -> " + got);
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<List<String>> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldShareRequestsWhenTwoRespondersServeOnePattern() throws Exception {
        AtomicInteger servedByA = new AtomicInteger();
        AtomicInteger servedByB = new AtomicInteger();
        fixture.client().reply("work.*", request -> {
            servedByA.incrementAndGet();
            return Reply.of("a");
        }).join();
        fixture.client().reply("work.*", request -> {
            servedByB.incrementAndGet();
            return Reply.of("b");
        }).join();
        RelaisClient requester = fixture.client();

        List<CompletableFuture<Delivery>> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(requester.request("work.job", utf8("j" + i), TIMEOUT));
        }
        List<String> answers = new ArrayList<>();
        for (CompletableFuture<Delivery> r : replies) {
            answers.add(text(r));
        }

        assertThat(answers).contains("a", "b");
        assertThat(servedByA.get() + servedByB.get()).isEqualTo(100);
        assertThat(servedByA.get()).isGreaterThan(0);
        assertThat(servedByB.get()).isGreaterThan(0);
    }

    @Test
    void shouldFailAtOnceWithNoRouteWhenNoResponderListens() {
        RelaisClient requester = fixture.client();
        long start = System.nanoTime();

        CompletableFuture<Delivery> reply = requester.request("nobody", utf8("hi"), TIMEOUT);

        NoRouteException e = failure(reply, Duration.ofSeconds(2), NoRouteException.class);
        assertThat(e.routingKey()).isEqualTo("nobody");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void shouldTimeOutWhenTheRequestIsQueuedButNeverAnswered() {
        queueWithoutResponder("silent");
        RelaisClient requester = fixture.client();
        long start = System.nanoTime();

        CompletableFuture<Delivery> reply = requester.request("silent", utf8("hi"), Duration.ofMillis(300));

        RequestTimeoutException e = failure(reply, Duration.ofSeconds(5), RequestTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(e).hasMessage("no reply to 'silent' within 300 ms");
        assertThat(e.routingKey()).isEqualTo("silent");
    }

    @Test
    void shouldDropALateReplyAndKeepAnsweringWhenARequestTimedOut() throws Exception {
        BlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
        RelaisClient admin = queueWithoutResponder("slow");
        admin.subscribeQueue("slow", SubscribeOptions.defaults(), held::add).join();
        RelaisClient requester = fixture.client();

        CompletableFuture<Delivery> first = requester.request("slow", utf8("first"), Duration.ofMillis(200));
        Delivery request = held.poll(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        failure(first, Duration.ofSeconds(5), RequestTimeoutException.class);
        CompletableFuture<Delivery> second = requester.request("slow", utf8("second"), TIMEOUT);
        Delivery secondRequest = held.poll(10, TimeUnit.SECONDS);
        assertThat(secondRequest).isNotNull();
        // The late reply to the first request, then the reply to the second, into the same inbox.
        for (Delivery r : List.of(request, secondRequest)) {
            admin.publishConfirmed(Message.builder(r.properties().replyTo()).payload("to " + r.payloadAsString())
                    .properties(Properties.builder().correlationId(r.properties().correlationId()).build())
                    .build()).join();
        }

        assertThat(text(second)).isEqualTo("to second");
    }

    @Test
    void shouldCarryPropertiesBothWaysWhenTheReplyHasHeaders() throws Exception {
        BlockingQueue<Delivery> requests = new LinkedBlockingQueue<>();
        RelaisClient responder = fixture.client();
        responder.reply("props", request -> {
            requests.add(request);
            return Reply.of(utf8("{}"), Properties.builder().contentType("application/json")
                    .correlationId("ignored").headers(Map.of("status", "ok", "n", 7L)).build());
        }).join();
        RelaisClient requester = fixture.client();
        Properties sent = Properties.builder().contentType("text/plain").messageId("m-1")
                .correlationId("replaced").headers(Map.of("lang", "fr")).build();

        Delivery reply = requester.request(Message.builder("props").payload("hi").properties(sent).build(), TIMEOUT)
                .get(10, TimeUnit.SECONDS);

        Delivery request = requests.poll(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.properties().contentType()).isEqualTo("text/plain");
        assertThat(request.properties().messageId()).isEqualTo("m-1");
        assertThat(request.properties().headers()).isEqualTo(Map.of("lang", "fr"));
        assertThat(request.properties().replyTo()).isEqualTo("_reply." + requester.connectionId());
        assertThat(request.properties().correlationId()).isNotNull().isNotEqualTo("replaced");
        assertThat(reply.payloadAsString()).isEqualTo("{}");
        assertThat(reply.properties().contentType()).isEqualTo("application/json");
        assertThat(reply.properties().headers()).isEqualTo(Map.of("status", "ok", "n", 7L));
        assertThat(reply.properties().correlationId()).isEqualTo(request.properties().correlationId());
    }

    @Test
    void shouldRejectTheRequestAndKeepServingWhenTheHandlerFails() throws Exception {
        RelaisClient responder = fixture.client();
        responder.reply("fragile", request -> {
            if (request.payloadAsString().equals("boom")) {
                throw new IllegalStateException("boom");
            }
            return request.payloadAsString().equals("decline") ? null : Reply.of("fine");
        }).join();
        RelaisClient requester = fixture.client();

        CompletableFuture<Delivery> boom = requester.request("fragile", utf8("boom"), Duration.ofMillis(300));
        CompletableFuture<Delivery> decline = requester.request("fragile", utf8("decline"), Duration.ofMillis(300));
        CompletableFuture<Delivery> fine = requester.request("fragile", utf8("ok"), TIMEOUT);

        assertThat(text(fine)).isEqualTo("fine");
        failure(boom, Duration.ofSeconds(5), RequestTimeoutException.class);
        failure(decline, Duration.ofSeconds(5), RequestTimeoutException.class);
        awaitSettled(requester, "rpc.fragile");
    }

    @Test
    void shouldAcknowledgeAndIgnoreARequestWhenItHasNoReplyTo() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        fixture.client().reply("svc", request -> {
            handled.incrementAndGet();
            return Reply.of("ok");
        }).join();
        RelaisClient requester = fixture.client();

        requester.publishConfirmed(Message.builder("svc").payload("no reply_to").mandatory(true).build()).join();
        assertThat(text(requester.request("svc", utf8("real"), TIMEOUT))).isEqualTo("ok");

        assertThat(handled.get()).isEqualTo(1);
        awaitSettled(requester, "rpc.svc");
    }

    @Test
    void shouldFailPendingRequestsWhenTheClientCloses() {
        queueWithoutResponder("void");
        RelaisClient requester = fixture.client();
        CompletableFuture<Delivery> reply = requester.request("void", utf8("hi"), TIMEOUT);
        requester.publishConfirmed(Message.of("void", utf8("fence"))).join();

        requester.close();

        RelaisException e = failure(reply, Duration.ofSeconds(2), RelaisException.class);
        assertThat(e).isNotInstanceOf(RequestTimeoutException.class).hasMessageContaining("connection closed");
        assertThat(requester.request("void", utf8("again"), TIMEOUT)).isCompletedExceptionally();
    }

    @Test
    void shouldDeleteTheSharedQueueWhenTheLastResponderStops() throws Exception {
        RelaisClient responder = fixture.client();
        Subscription serving = responder.reply("temp", request -> Reply.of("here")).join();
        RelaisClient requester = fixture.client();
        assertThat(text(requester.request("temp", utf8("?"), TIMEOUT))).isEqualTo("here");

        serving.cancel().get(10, TimeUnit.SECONDS);

        failure(requester.request("temp", utf8("?"), TIMEOUT), Duration.ofSeconds(2), NoRouteException.class);
        assertThat(requester.listQueues().join()).extracting(QueueInfo::name).doesNotContain("rpc.temp");
    }

    /** Declares queue {@code key} bound to the default exchange with {@code key}; returns the client that did. */
    private RelaisClient queueWithoutResponder(String key) {
        RelaisClient admin = fixture.client();
        admin.declareQueue(QueueDeclaration.named(key)).join();
        admin.bind(key, "", key).join();
        return admin;
    }

    /** Waits (at most 10 s) until {@code queue} holds no message, ready or unacknowledged. */
    private static void awaitSettled(RelaisClient client, String queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        QueueInfo q = info(client, queue);
        while (q.messages() + q.unacked() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the broker's queue counts can only be asked for
            q = info(client, queue);
        }
        assertThat(q.messages()).as("ready in " + queue).isZero();
        assertThat(q.unacked()).as("unacked in " + queue).isZero();
    }

    private static QueueInfo info(RelaisClient client, String name) {
        return client.listQueues().join().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + name));
    }
}
