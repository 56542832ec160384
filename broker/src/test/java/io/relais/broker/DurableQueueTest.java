package io.relais.broker;

import static io.relais.broker.ErrorCodes.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.config.ConfigException;
import io.relais.broker.store.DefinitionsStore;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Durable exchanges, queues and persistent messages across broker restarts, and the queue arguments. */
@ExtendWith(LeakCheck.class)
class DurableQueueTest {
    private BrokerFixture fixture = new BrokerFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static Message persistent(String exchange, String key, String body) {
        return Message.builder(key).exchange(exchange).payload(body).persistent(true).build();
    }

    private static Message transientMessage(String key, String body) {
        return Message.builder(key).payload(body).build();
    }

    private static QueueInfo info(RelaisClient c, String queue) {
        return c.listQueues().join().stream().filter(q -> q.name().equals(queue)).findFirst().orElseThrow();
    }

    private static List<Delivery> take(BlockingQueue<Delivery> inbox, int n) throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delivery d = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("delivery %d of %d within 10 s", i + 1, n).isNotNull();
            got.add(d);
        }
        return got;
    }

    private static List<String> bodies(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::payloadAsString).toList();
    }

    @Test
    void shouldStartEmptyWhenADeletedDurableQueueIsDeclaredAgainAtOnce() throws Exception {
        RelaisClient c = fixture.client();
        for (int round = 0; round < 5; round++) {
            c.declareQueue(QueueDeclaration.named("again").durable(true).autoDelete(true)).join();
            c.bind("again", "", "again").join();
            for (int i = 0; i < 20; i++) {
                c.publishConfirmed(persistent("", "again", "old-" + round + "-" + i)).join();
            }
            LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
            Subscription sub = c.subscribeQueue("again", SubscribeOptions.defaults().manualAck(true).prefetch(1),
                    inbox::add).join();
            take(inbox, 1);
            // The last consumer goes: the auto-delete queue and its store are deleted, and the same
            // name is declared again on the next frame.
            sub.cancel().join();
            DeclaredQueue fresh = c.declareQueue(QueueDeclaration.named("again").durable(true).autoDelete(true))
                    .join();
            assertThat(fresh.messageCount()).as("round %d: messages of the deleted queue", round).isZero();
            c.bind("again", "", "again").join();
            c.publishConfirmed(persistent("", "again", "new-" + round)).join();
            LinkedBlockingQueue<Delivery> second = new LinkedBlockingQueue<>();
            Subscription sub2 = c.subscribeQueue("again", SubscribeOptions.defaults(), second::add).join();
            assertThat(bodies(take(second, 1))).containsExactly("new-" + round);
            assertThat(second.poll(200, TimeUnit.MILLISECONDS)).as("nothing of the deleted queue").isNull();
            sub2.cancel().join();
        }
    }

    @Test
    void shouldKeepDefinitionsAndPersistentMessagesWhenRestarted() throws Exception {
        RelaisClient c = fixture.client();
        c.declareExchange("orders", ExchangeType.TOPIC, true, false).join();
        c.declareExchange("scratch", ExchangeType.FANOUT, false, false).join();
        c.declareQueue(QueueDeclaration.named("q").durable(true).argument("max-length", 1000L)).join();
        c.declareQueue(QueueDeclaration.named("mem")).join();
        c.bind("q", "orders", "orders.#").join();
        c.bind("q", "", "direct.q").join();
        c.bind("q", "scratch", "").join();
        c.bind("mem", "orders", "orders.#").join();
        for (int i = 0; i < 100; i++) {
            c.publishConfirmed(persistent("orders", "orders.eu", "p" + i)).join();
        }
        c.publishConfirmed(Message.builder("orders.eu").exchange("orders").payload("not persistent").build()).join();
        assertThat(info(c, "q").messages()).isEqualTo(101);

        fixture.restart();
        RelaisClient after = fixture.client();
        assertThat(after.listExchanges().join()).extracting(ExchangeInfo::name).contains("orders")
                .doesNotContain("scratch");
        assertThat(after.listQueues().join()).extracting(QueueInfo::name).contains("q").doesNotContain("mem");
        BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        after.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true).prefetch(10), d -> {
            inbox.add(d);
            d.ack();
        }).join();
        List<Delivery> got = take(inbox, 100);
        assertThat(bodies(got)).first().isEqualTo("p0");
        assertThat(bodies(got)).last().isEqualTo("p99");
        assertThat(bodies(got)).doesNotContain("not persistent");
        assertThat(got).as("never delivered before the restart").noneMatch(Delivery::redelivered);
        // Bindings came back: the durable exchange's and the default exchange's, not the transient one's.
        after.publishConfirmed(persistent("orders", "orders.us", "after")).join();
        after.publishConfirmed(persistent("", "direct.q", "direct")).join();
        assertThat(bodies(take(inbox, 2))).containsExactly("after", "direct");
        assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldNotRedeliverAckedMessagesWhenRestarted() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("q").durable(true)).join();
        c.bind("q", "", "k").join();
        for (int i = 0; i < 10; i++) {
            c.publishConfirmed(persistent("", "k", "m" + i)).join();
        }
        BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        c.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true).prefetch(100), inbox::add).join();
        List<Delivery> got = take(inbox, 10);
        for (int i = 0; i < 10; i += 2) {
            got.get(i).ack();
        }
        awaitUnacked(c, "q", 5);
        fixture.restart();
        RelaisClient after = fixture.client();
        BlockingQueue<Delivery> again = new LinkedBlockingQueue<>();
        after.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true), again::add).join();
        List<Delivery> back = take(again, 5);
        assertThat(bodies(back)).containsExactly("m1", "m3", "m5", "m7", "m9");
        assertThat(back).as("delivered before the restart").allMatch(Delivery::redelivered);
        assertThat(again.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    private static void awaitUnacked(RelaisClient c, String queue, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (info(c, queue).unacked() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(info(c, queue).unacked()).isEqualTo(expected);
    }

    @Test
    void shouldRedeliverWithTheFlagWhenAConsumerGoesAway() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("q").durable(true)).join();
        c.bind("q", "", "k").join();
        for (int i = 0; i < 3; i++) {
            c.publishConfirmed(persistent("", "k", "m" + i)).join();
        }
        RelaisClient first = fixture.client();
        BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        first.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true), inbox::add).join();
        List<Delivery> got = take(inbox, 3);
        assertThat(got).noneMatch(Delivery::redelivered);
        got.get(0).ack();
        awaitUnacked(c, "q", 2);
        first.close();
        BlockingQueue<Delivery> second = new LinkedBlockingQueue<>();
        c.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true), second::add).join();
        List<Delivery> again = take(second, 2);
        assertThat(bodies(again)).containsExactly("m1", "m2");
        assertThat(again).allMatch(Delivery::redelivered);
    }

    @Test
    void shouldDeadLetterRejectedExpiredAndDroppedMessages() throws Exception {
        RelaisClient c = fixture.client();
        c.declareExchange("dlx", ExchangeType.TOPIC, true, false).join();
        c.declareQueue(QueueDeclaration.named("dead").durable(true)).join();
        c.bind("dead", "dlx", "#").join();
        c.declareQueue(QueueDeclaration.named("work").durable(true).argument("dead-letter-exchange", "dlx")
                .argument("max-length", 3L)).join();
        c.bind("work", "", "work").join();
        c.declareQueue(QueueDeclaration.named("short").durable(true).argument("dead-letter-exchange", "dlx")
                .argument("dead-letter-routing-key", "timed.out").argument("message-ttl", 50L)).join();
        c.bind("short", "", "short").join();

        c.publishConfirmed(persistent("", "short", "late")).join();
        for (int i = 1; i <= 4; i++) {
            c.publishConfirmed(persistent("", "work", "w" + i)).join();
        }
        BlockingQueue<Delivery> dead = new LinkedBlockingQueue<>();
        c.subscribeQueue("dead", SubscribeOptions.defaults().manualAck(true), dead::add).join();
        // w1 was dropped from the head when w4 arrived; "late" expires once a dispatch looks at it.
        Thread.sleep(100);
        c.subscribeQueue("short", SubscribeOptions.defaults(), d -> { }).join();
        List<Delivery> first = take(dead, 2);
        Delivery dropped = first.stream().filter(d -> d.payloadAsString().equals("w1")).findFirst().orElseThrow();
        Delivery expired = first.stream().filter(d -> d.payloadAsString().equals("late")).findFirst().orElseThrow();
        assertThat(dropped.properties().headers()).containsEntry("x-death-reason", "maxlen")
                .containsEntry("x-death-queue", "work").containsEntry("x-death-count", 1L);
        assertThat(dropped.routingKey()).isEqualTo("work");
        assertThat(expired.properties().headers()).containsEntry("x-death-reason", "expired");
        assertThat(expired.routingKey()).isEqualTo("timed.out");

        BlockingQueue<Delivery> work = new LinkedBlockingQueue<>();
        c.subscribeQueue("work", SubscribeOptions.defaults().manualAck(true), work::add).join();
        List<Delivery> ws = take(work, 3);
        assertThat(bodies(ws)).containsExactly("w2", "w3", "w4");
        ws.get(0).reject(false);
        ws.get(1).nack(false);
        ws.get(2).ack();
        List<Delivery> rejected = take(dead, 2);
        assertThat(bodies(rejected)).containsExactly("w2", "w3");
        assertThat(rejected).allSatisfy(d -> assertThat(d.properties().headers())
                .containsEntry("x-death-reason", "rejected"));
        awaitUnacked(c, "work", 0);
        assertThat(info(c, "work").messages()).isZero();
    }

    @Test
    void shouldRefusePublishesToAFullDurableQueueWhenOverflowIsRejectPublish() {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("small").durable(true).argument("max-length", 2L)
                .argument("overflow", "reject-publish")).join();
        c.bind("small", "", "small").join();
        c.publishConfirmed(persistent("", "small", "1")).join();
        c.publishConfirmed(persistent("", "small", "2")).join();
        assertCode(c.publishConfirmed(persistent("", "small", "3")), ErrorCode.QUEUE_FULL);
        assertThat(info(c, "small").messages()).isEqualTo(2);
    }

    @Test
    void shouldRefusePublishesToDurableQueuesWhenTheDiskIsBelowTheThreshold() throws Exception {
        fixture.close();
        fixture = new BrokerFixture(cfg -> cfg.withStore(cfg.fsync(), Long.MAX_VALUE));
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("q").durable(true)).join();
        c.bind("q", "", "k").join();
        c.declareQueue(QueueDeclaration.named("mem")).join();
        c.bind("mem", "", "m").join();
        assertCode(c.publishConfirmed(persistent("", "k", "on disk")), ErrorCode.DISK_FULL);
        assertCode(c.publishConfirmed(transientMessage("k", "a durable queue writes it too")), ErrorCode.DISK_FULL);
        c.publishConfirmed(persistent("", "m", "a queue in memory writes nothing")).join();
        assertThat(info(c, "q").messages()).isZero();
        assertThat(info(c, "mem").messages()).isEqualTo(1);
    }

    @Test
    void shouldStopStartUpWithTheFileNameWhenDefinitionsAreCorrupt() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("q").durable(true)).join();
        Path file = fixture.dataDir().resolve(DefinitionsStore.FILE_NAME);
        fixture.broker().close();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x55;
        Files.write(file, bytes);
        assertThatThrownBy(() -> Broker.start(fixture.config())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("checksum");
    }

    @Test
    void shouldDeleteTheStoreWhenADurableQueueIsDeleted() throws Exception {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("gone").durable(true)).join();
        c.bind("gone", "", "g").join();
        c.publishConfirmed(persistent("", "g", "x")).join();
        Path queues = fixture.dataDir().resolve("queues");
        try (var dirs = Files.list(queues)) {
            assertThat(dirs.count()).isEqualTo(1);
        }
        assertThat(c.deleteQueue("gone", false, false).join()).isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (var dirs = Files.list(queues)) {
                if (dirs.findAny().isEmpty()) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        try (var dirs = Files.list(queues)) {
            assertThat(dirs.count()).isZero();
        }
        fixture.restart();
        assertThat(fixture.client().listQueues().join()).extracting(QueueInfo::name).doesNotContain("gone");
    }
}
