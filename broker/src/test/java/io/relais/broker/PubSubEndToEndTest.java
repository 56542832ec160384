package io.relais.broker;

import static io.relais.broker.ErrorCodes.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.client.Delivery;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.QueueInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Publish/subscribe through a real broker on an ephemeral port with the real Java client. */
@ExtendWith(LeakCheck.class)
class PubSubEndToEndTest {
    private BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = new BrokerFixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** Collects deliveries; {@link #next()} waits for one. */
    static final class Inbox {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        void add(Delivery d) {
            deliveries.add(d);
        }

        Delivery next() throws InterruptedException {
            Delivery d = deliveries.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("a delivery within 10 s").isNotNull();
            return d;
        }

        List<String> take(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(next().payloadAsString());
            }
            return out;
        }

        /** Asserts nothing more arrives within a short grace period after a fence message. */
        void assertEmpty() {
            assertThat(deliveries).isEmpty();
        }
    }

    private static Message msg(String key, String body) {
        return Message.builder(key).payload(body).build();
    }

    private static void publishAll(RelaisClient c, String exchange, String... keys) {
        for (String k : keys) {
            c.publishConfirmed(Message.builder(k).exchange(exchange).payload(k).build()).join();
        }
    }

    @Test
    void shouldDeliverOnlyMatchingKeysWhenSubscribedWithWildcards() throws Exception {
        RelaisClient sub = fixture.client();
        RelaisClient pub = fixture.client();
        pub.declareExchange("T", ExchangeType.TOPIC, false, false).join();
        Inbox star = new Inbox();
        Inbox hash = new Inbox();
        sub.subscribe("T", "a.*.c", star::add).join();
        sub.subscribe("T", "a.#", hash::add).join();

        publishAll(pub, "T", "a.b.c", "a.b.d", "a.x.c", "a.b.c.d", "a.y.c", "b.b.c");
        publishAll(pub, "T", "a.fence.c");

        assertThat(star.take(4)).containsExactly("a.b.c", "a.x.c", "a.y.c", "a.fence.c");
        assertThat(hash.take(6)).containsExactly("a.b.c", "a.b.d", "a.x.c", "a.b.c.d", "a.y.c", "a.fence.c");
        star.assertEmpty();
        hash.assertEmpty();
    }

    @Test
    void shouldGiveEachSubscriberEveryMessageWhenManySubscribe() throws Exception {
        RelaisClient pub = fixture.client();
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Inbox inbox = new Inbox();
            fixture.client().subscribe("", i % 2 == 0 ? "chat.#" : "chat.*", inbox::add).join();
            inboxes.add(inbox);
        }
        for (int i = 0; i < 100; i++) {
            pub.publish(msg("chat.room", "m" + i));
        }
        pub.publishConfirmed(msg("chat.room", "end")).join();
        for (Inbox inbox : inboxes) {
            List<String> got = inbox.take(101);
            assertThat(got.get(0)).isEqualTo("m0");
            assertThat(got.get(99)).isEqualTo("m99");
            assertThat(got.get(100)).isEqualTo("end");
        }
    }

    @Test
    void shouldShareMessagesRoundRobinWhenConsumersCompeteOnAQueue() throws Exception {
        RelaisClient admin = fixture.client();
        admin.declareQueue(QueueDeclaration.named("work")).join();
        admin.bind("work", "", "jobs.*").join();
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        // Both consumers keep credit for every message and ack only at the end, so the
        // dispatch order depends on the round-robin alone, not on how fast acks come back.
        SubscribeOptions manual = SubscribeOptions.defaults().manualAck(true).prefetch(10);
        fixture.client().subscribeQueue("work", manual, a::add).join();
        fixture.client().subscribeQueue("work", manual, b::add).join();
        for (int i = 0; i < 10; i++) {
            admin.publishConfirmed(msg("jobs.x", "j" + i)).join();
        }
        List<String> gotA = drain(a, 5);
        List<String> gotB = drain(b, 5);
        assertThat(gotA).containsExactly("j0", "j2", "j4", "j6", "j8");
        assertThat(gotB).containsExactly("j1", "j3", "j5", "j7", "j9");
        assertThat(a.deliveries.poll(50, TimeUnit.MILLISECONDS)).isNull();
    }

    private static List<String> drain(Inbox inbox, int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < count && System.nanoTime() < deadline) {
            Delivery d = inbox.deliveries.poll(10, TimeUnit.MILLISECONDS);
            if (d != null) {
                got.add(d.payloadAsString());
                d.ack();
            }
        }
        return got;
    }

    @Test
    void shouldRouteByExchangeTypeWhenFanoutAndDirect() throws Exception {
        RelaisClient c = fixture.client();
        c.declareExchange("fan", ExchangeType.FANOUT, false, false).join();
        c.declareExchange("dir", ExchangeType.DIRECT, false, false).join();
        Inbox fan1 = new Inbox();
        Inbox fan2 = new Inbox();
        Inbox direct = new Inbox();
        c.subscribe("fan", "ignored", fan1::add).join();
        c.subscribe("fan", "", fan2::add).join();
        c.subscribe("dir", "exact.key", direct::add).join();
        publishAll(c, "fan", "anything", "x.y");
        publishAll(c, "dir", "exact.key", "exact.other", "other", "exact.key");
        assertThat(fan1.take(2)).containsExactly("anything", "x.y");
        assertThat(fan2.take(2)).containsExactly("anything", "x.y");
        assertThat(direct.take(2)).containsExactly("exact.key", "exact.key");
        direct.assertEmpty();
    }

    @Test
    void shouldCarryPropertiesAndLargePayloadsWhenDelivering() throws Exception {
        RelaisClient c = fixture.client();
        Inbox inbox = new Inbox();
        c.subscribe("", "props", inbox::add).join();
        byte[] big = new byte[1024 * 1024];
        new Random(1).nextBytes(big);
        Properties props = Properties.builder().contentType("application/octet-stream").messageId("m-1")
                .correlationId("c-1").replyTo("r").timestamp(1234L).expiration(60_000L)
                .headers(Map.of("n", 7L, "s", "v", "b", true)).build();
        c.publishConfirmed(Message.builder("props").payload(big).properties(props).persistent(true).build()).join();
        Delivery d = inbox.next();
        assertThat(d.payload()).isEqualTo(big);
        assertThat(d.properties()).isEqualTo(props);
        assertThat(d.routingKey()).isEqualTo("props");
        assertThat(d.redelivered()).isFalse();
    }

    @Test
    void shouldReturnMandatoryMessageWhenNoQueueMatches() {
        RelaisClient c = fixture.client();
        CompletableFuture<Void> f = c.publishConfirmed(Message.builder("nobody.home").payload("x").mandatory(true)
                .build());
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoRouteException.class);
        c.publishConfirmed(msg("nobody.home", "not mandatory")).join();
    }

    @Test
    void shouldRefuseWithCodesWhenRequestsAreInvalid() {
        RelaisClient c = fixture.client();
        assertCode(c.publishConfirmed(Message.builder("k").exchange("missing").payload("x").build()),
                ErrorCode.NOT_FOUND);
        assertCode(c.publishConfirmed(msg("bad.*", "x")), ErrorCode.INVALID_ARGUMENT);
        assertCode(c.subscribe("", "a*.b", d -> { }), ErrorCode.INVALID_ARGUMENT);
        assertCode(c.subscribe("missing", "a.b", d -> { }), ErrorCode.NOT_FOUND);
        c.declareExchange("x1", ExchangeType.TOPIC, false, false).join();
        assertCode(c.declareExchange("x1", ExchangeType.FANOUT, false, false), ErrorCode.PRECONDITION_FAILED);
        assertCode(c.declareExchange("relais.mine", ExchangeType.FANOUT, false, false),
                ErrorCode.PRECONDITION_FAILED);
        assertCode(c.deleteExchange("", false), ErrorCode.PRECONDITION_FAILED);
        c.declareExchange("lasting", ExchangeType.TOPIC, true, false).join();
        assertCode(c.declareExchange("lasting", ExchangeType.TOPIC, false, false), ErrorCode.PRECONDITION_FAILED);
        c.declareQueue(QueueDeclaration.named("lasting").durable(true)).join();
        assertCode(c.declareQueue(QueueDeclaration.named("lasting")), ErrorCode.PRECONDITION_FAILED);
        assertCode(c.deleteExchange("nope", false), ErrorCode.NOT_FOUND);
        assertCode(c.declareQueue(QueueDeclaration.named("q").argument("colour", "blue")), ErrorCode.INVALID_ARGUMENT);
        assertCode(c.subscribeQueue("nope", SubscribeOptions.defaults(), d -> { }), ErrorCode.NOT_FOUND);
        assertCode(c.bind("nope", "", "a"), ErrorCode.NOT_FOUND);
        c.declareQueue(QueueDeclaration.named("mine").exclusive(true)).join();
        RelaisClient other = fixture.client();
        assertCode(other.subscribeQueue("mine", SubscribeOptions.defaults(), d -> { }), ErrorCode.RESOURCE_LOCKED);
        assertThat(c.isOpen()).isTrue();
        assertThat(other.isOpen()).isTrue();
    }

    @Test
    void shouldReportDepthAndConsumersWhenListingQueues() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("depth")).join();
        c.bind("depth", "", "d").join();
        for (int i = 0; i < 3; i++) {
            c.publishConfirmed(msg("d", "x")).join();
        }
        QueueInfo info = find(c.listQueues().join(), "depth");
        assertThat(info.messages()).isEqualTo(3);
        assertThat(info.consumers()).isZero();
        Inbox inbox = new Inbox();
        c.subscribeQueue("depth", SubscribeOptions.defaults().manualAck(true), inbox::add).join();
        inbox.take(3);
        info = find(c.listQueues().join(), "depth");
        assertThat(info.messages()).isZero();
        assertThat(info.unacked()).isEqualTo(3);
        assertThat(info.consumers()).isEqualTo(1);
        assertThat(c.listExchanges().join()).anySatisfy(e -> assertThat(e.name()).isEmpty());
    }

    private static QueueInfo find(List<QueueInfo> list, String name) {
        return list.stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void shouldPurgeAndDeleteWithCountsWhenAsked() {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("p")).join();
        c.bind("p", "", "p").join();
        for (int i = 0; i < 4; i++) {
            c.publishConfirmed(msg("p", "x")).join();
        }
        assertThat(c.purgeQueue("p").join()).isEqualTo(4);
        c.publishConfirmed(msg("p", "x")).join();
        assertCode(c.deleteQueue("p", false, true), ErrorCode.PRECONDITION_FAILED);
        assertThat(c.deleteQueue("p", false, false).join()).isEqualTo(1);
        assertThat(c.listQueues().join()).noneSatisfy(q -> assertThat(q.name()).isEqualTo("p"));
    }

    @Test
    void shouldRedeliverWithFlagWhenConsumerConnectionClosesWithoutAck() throws Exception {
        RelaisClient admin = fixture.client();
        admin.declareQueue(QueueDeclaration.named("redo")).join();
        admin.bind("redo", "", "redo").join();
        admin.publishConfirmed(msg("redo", "one")).join();
        admin.publishConfirmed(msg("redo", "two")).join();
        RelaisClient first = fixture.client();
        Inbox got = new Inbox();
        first.subscribeQueue("redo", SubscribeOptions.defaults().manualAck(true), got::add).join();
        assertThat(got.take(2)).containsExactly("one", "two");
        first.close();
        Inbox again = new Inbox();
        fixture.client().subscribeQueue("redo", SubscribeOptions.defaults().manualAck(true), d -> {
            again.add(d);
            d.ack();
        }).join();
        Delivery d1 = again.next();
        Delivery d2 = again.next();
        assertThat(List.of(d1.payloadAsString(), d2.payloadAsString())).containsExactly("one", "two");
        assertThat(d1.redelivered()).isTrue();
        assertThat(d2.redelivered()).isTrue();
    }

    @Test
    void shouldRequeueOrDropWhenNackedOrRejected() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("n")).join();
        c.bind("n", "", "n").join();
        c.publishConfirmed(msg("n", "keep")).join();
        c.publishConfirmed(msg("n", "drop")).join();
        Inbox inbox = new Inbox();
        c.subscribeQueue("n", SubscribeOptions.defaults().manualAck(true), inbox::add).join();
        Delivery keep = inbox.next();
        Delivery drop = inbox.next();
        drop.reject(false);
        keep.nack(true);
        Delivery again = inbox.next();
        assertThat(again.payloadAsString()).isEqualTo("keep");
        assertThat(again.redelivered()).isTrue();
        again.ack();
        c.publishConfirmed(msg("n", "fence")).join();
        assertThat(inbox.next().payloadAsString()).isEqualTo("fence");
    }

    @Test
    void shouldLimitUnackedDeliveriesWhenPrefetchIsSet() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("pf")).join();
        c.bind("pf", "", "pf").join();
        for (int i = 0; i < 5; i++) {
            c.publishConfirmed(msg("pf", "m" + i)).join();
        }
        Inbox inbox = new Inbox();
        c.subscribeQueue("pf", SubscribeOptions.defaults().manualAck(true).prefetch(2), inbox::add).join();
        List<Delivery> first = List.of(inbox.next(), inbox.next());
        Thread.sleep(200);
        inbox.assertEmpty();
        first.get(1).ack();
        assertThat(inbox.next().payloadAsString()).isEqualTo("m2");
        Thread.sleep(200);
        inbox.assertEmpty();
    }

    @Test
    void shouldApplyOverflowPolicyWhenQueueIsFull() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("rp").argument("max-length", 2L).argument("overflow", "reject-publish"))
                .join();
        c.bind("rp", "", "rp").join();
        c.declareQueue(QueueDeclaration.named("dh").argument("max-length", 2L)).join();
        c.bind("dh", "", "dh").join();
        c.publishConfirmed(msg("rp", "1")).join();
        c.publishConfirmed(msg("rp", "2")).join();
        assertCode(c.publishConfirmed(msg("rp", "3")), ErrorCode.QUEUE_FULL);
        for (int i = 1; i <= 5; i++) {
            c.publishConfirmed(msg("dh", String.valueOf(i))).join();
        }
        Inbox inbox = new Inbox();
        c.subscribeQueue("dh", SubscribeOptions.defaults(), inbox::add).join();
        assertThat(inbox.take(2)).containsExactly("4", "5");
        Inbox rp = new Inbox();
        c.subscribeQueue("rp", SubscribeOptions.defaults(), rp::add).join();
        assertThat(rp.take(2)).containsExactly("1", "2");
    }

    @Test
    void shouldExpireMessagesWhenTtlPasses() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("ttl").argument("message-ttl", 100L)).join();
        c.bind("ttl", "", "ttl").join();
        c.publishConfirmed(msg("ttl", "old")).join();
        c.publishConfirmed(Message.builder("ttl").payload("own-expiry")
                .properties(Properties.builder().expiration(50L).build()).build()).join();
        Thread.sleep(300);
        c.publishConfirmed(msg("ttl", "fresh")).join();
        Inbox inbox = new Inbox();
        c.subscribeQueue("ttl", SubscribeOptions.defaults(), inbox::add).join();
        assertThat(inbox.next().payloadAsString()).isEqualTo("fresh");
    }

    @Test
    void shouldDeleteExclusiveAndAutoDeleteQueuesWhenOwnerGoes() throws Exception {
        RelaisClient owner = fixture.client();
        RelaisClient watcher = fixture.client();
        owner.declareQueue(QueueDeclaration.named("excl").exclusive(true)).join();
        watcher.declareQueue(QueueDeclaration.named("auto").autoDelete(true)).join();
        owner.subscribeQueue("auto", SubscribeOptions.defaults(), d -> { }).join();
        owner.subscribe("", "some.#", d -> { }).join();
        assertThat(names(watcher)).contains("excl", "auto").anyMatch(n -> n.startsWith("relais.sub."));
        owner.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && names(watcher).size() > 0) {
            Thread.sleep(20);
        }
        assertThat(names(watcher)).isEmpty();
    }

    private static List<String> names(RelaisClient c) {
        return c.listQueues().join().stream().map(QueueInfo::name).toList();
    }

    @Test
    void shouldKeepOrderWhenOneConsumerReadsAQueue() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("fifo")).join();
        c.bind("fifo", "", "fifo").join();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sent.add("m" + i);
            c.publish(msg("fifo", "m" + i));
        }
        c.publishConfirmed(msg("fifo", "end")).join();
        sent.add("end");
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        c.subscribeQueue("fifo", SubscribeOptions.defaults().manualAck(true).prefetch(100), d -> {
            got.add(d.payloadAsString());
            d.ack();
            if (d.payloadAsString().equals("end")) {
                done.complete(null);
            }
        }).join();
        done.get(20, TimeUnit.SECONDS);
        assertThat(got).containsExactlyElementsOf(sent);
    }

    @Test
    void shouldCloseClientsGracefullyWhenBrokerShutsDown() throws Exception {
        RelaisClient c = fixture.client();
        BlockingQueue<RelaisException> errors = new LinkedBlockingQueue<>();
        c.onError(errors::add);
        fixture.broker().close();
        RelaisException e = errors.poll(10, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN);
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseConnectionWhenPasswordIsWrong() {
        assertThatThrownBy(() -> RelaisClient.builder().port(fixture.port()).username("guest").password("nope")
                .connectTimeout(Duration.ofSeconds(5)).connect())
                .isInstanceOf(RelaisException.class)
                .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED));
    }
}
