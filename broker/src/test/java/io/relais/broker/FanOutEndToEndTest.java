package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.Delivery;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.MessageHandler;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.LeakCheck;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fan-out fast path end to end, with the real client: pattern subscriptions and bench-style
 * subscribers (a server-named exclusive auto-delete queue, bound, consumed with automatic
 * acknowledgement) each get every message once, in publish order, with delivery tags 1, 2, 3, ...,
 * whether they keep up or fall behind and catch up again; a pattern subscriber that cannot keep up
 * loses only its oldest messages, and the others get everything meanwhile.
 */
@ExtendWith(LeakCheck.class)
class FanOutEndToEndTest {
    private static final String EXCHANGE = "fan";
    private static final String KEY = "fan.eu";
    private static final String[] PATTERNS = {"fan.#", "*.eu", "fan.eu", "#"};

    /** The test's own clients, closed before the broker (resources close in reverse order). */
    private static final class Clients implements AutoCloseable {
        private final List<RelaisClient> open = new ArrayList<>();

        void add(RelaisClient c) {
            open.add(c);
        }

        @Override
        public void close() {
            open.forEach(RelaisClient::close);
        }
    }

    /** What one subscriber got: sequence numbers and delivery tags, in arrival order. */
    private static final class Received implements MessageHandler {
        final List<Long> seqs = new ArrayList<>();
        final List<Long> tags = new ArrayList<>();
        final CountDownLatch last = new CountDownLatch(1);
        final long lastSeq;
        volatile Runnable beforeEach = () -> { };

        Received(long lastSeq) {
            this.lastSeq = lastSeq;
        }

        @Override
        public void onMessage(Delivery d) {
            beforeEach.run();
            long seq = ByteBuffer.wrap(d.payload()).getLong();
            synchronized (this) {
                seqs.add(seq);
                tags.add(d.deliveryTag());
            }
            if (seq == lastSeq) {
                last.countDown();
            }
        }

        synchronized List<Long> seqs() {
            return List.copyOf(seqs);
        }

        synchronized List<Long> tags() {
            return List.copyOf(tags);
        }
    }

    private static RelaisClient client(BrokerFixture fixture, int maxPendingDeliveries) {
        return RelaisClient.builder().host("127.0.0.1").port(fixture.port()).clientName("fan-test")
                .requestTimeout(Duration.ofSeconds(10)).maxPendingDeliveries(maxPendingDeliveries).connect();
    }

    /**
     * The publisher: its last confirm can wait behind the flow control of the subscribers' block queues
     * for a while on a busy machine, so it gets a long request timeout.
     */
    private static RelaisClient publisher(BrokerFixture fixture) {
        RelaisClient c = RelaisClient.builder().host("127.0.0.1").port(fixture.port()).clientName("fan-publisher")
                .requestTimeout(Duration.ofSeconds(120)).connect();
        c.declareExchange(EXCHANGE, ExchangeType.TOPIC, false, false).join();
        return c;
    }

    /** Subscribes as the bench does: server-named exclusive auto-delete queue, bound, auto-ack. */
    private static void subscribeDeclared(RelaisClient c, String pattern, Received r) {
        String queue = c.declareQueue(QueueDeclaration.serverNamed().exclusive(true).autoDelete(true)).join().name();
        c.bind(queue, EXCHANGE, pattern).join();
        c.subscribeQueue(queue, SubscribeOptions.defaults(), r).join();
    }

    private static void publish(RelaisClient publisher, long count, int size) throws Exception {
        for (long seq = 0; seq < count; seq++) {
            byte[] body = new byte[size];
            ByteBuffer.wrap(body).putLong(seq);
            Message m = Message.builder(KEY).exchange(EXCHANGE).payload(body).build();
            if (seq == count - 1) {
                publisher.publishConfirmed(m).get(60, TimeUnit.SECONDS);
            } else {
                publisher.publish(m);
            }
        }
    }

    private static List<Long> range(long n) {
        List<Long> list = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            list.add(i);
        }
        return list;
    }

    private static List<Long> tagsUpTo(long n) {
        List<Long> list = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            list.add(i);
        }
        return list;
    }

    private static void assertStrictlyIncreasing(List<Long> seqs) {
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("sequence at %d", i).isGreaterThan(seqs.get(i - 1));
        }
    }

    @Test
    void shouldDeliverEveryMessageInOrderToEverySubscriberWhenPatternAndDeclaredQueuesFanOut() throws Exception {
        int n = 20_000;
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMaxBacklog(n + 10));
             Clients clients = new Clients()) {
            RelaisClient publisher = publisher(fixture);
            clients.add(publisher);
            List<Received> all = new ArrayList<>();
            for (String pattern : PATTERNS) {
                Received viaPattern = new Received(n - 1);
                RelaisClient a = client(fixture, 10_000);
                clients.add(a);
                a.subscribe(EXCHANGE, pattern, viaPattern).join();
                all.add(viaPattern);
                Received viaQueue = new Received(n - 1);
                RelaisClient b = client(fixture, 10_000);
                clients.add(b);
                subscribeDeclared(b, pattern, viaQueue);
                all.add(viaQueue);
            }
            publish(publisher, n, 100);
            for (Received r : all) {
                assertThat(r.last.await(60, TimeUnit.SECONDS)).as("the last message arrived").isTrue();
                assertThat(r.seqs()).isEqualTo(range(n));
                assertThat(r.tags()).as("delivery tags 1, 2, 3, ...").isEqualTo(tagsUpTo(n));
            }
        }
    }

    @Test
    void shouldNeitherReorderNorDuplicateWhenASubscriberAlternatesBetweenKeepingUpAndFallingBehind()
            throws Exception {
        int n = 20_000;
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMaxBacklog(n + 10));
             Clients clients = new Clients()) {
            RelaisClient publisher = publisher(fixture);
            clients.add(publisher);
            List<Received> all = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Received r = new Received(n - 1);
                int[] count = {0};
                // Pauses now and then, long enough for the client to stop reading and the broker's
                // buffer for it to fill, so that its queue takes over, then catches up.
                r.beforeEach = () -> {
                    if (++count[0] % 2_500 == 0) {
                        sleep(150);
                    }
                };
                RelaisClient c = client(fixture, 16);
                clients.add(c);
                if (i == 0) {
                    c.subscribe(EXCHANGE, "fan.*", r).join();
                } else {
                    subscribeDeclared(c, "#.eu", r);
                }
                all.add(r);
            }
            publish(publisher, n, 1024);
            for (Received r : all) {
                assertThat(r.last.await(120, TimeUnit.SECONDS)).as("the last message arrived").isTrue();
                assertThat(r.seqs()).isEqualTo(range(n));
                assertThat(r.tags()).isEqualTo(tagsUpTo(n));
            }
        }
    }

    @Test
    void shouldDropOnlyTheOldestOfASlowPatternSubscriberWithoutHoldingUpTheOthers() throws Exception {
        int n = 20_000;
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withMaxBacklog(500));
             Clients clients = new Clients()) {
            RelaisClient publisher = publisher(fixture);
            clients.add(publisher);
            CountDownLatch othersDone = new CountDownLatch(1);
            Received slow = new Received(n - 1);
            slow.beforeEach = () -> {
                try {
                    othersDone.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            RelaisClient s = client(fixture, 16);
            clients.add(s);
            s.subscribe(EXCHANGE, "fan.#", slow).join();

            // The others consume bench-style queues, which never drop: block, the publisher waits for them.
            Received declared = new Received(n - 1);
            RelaisClient a = client(fixture, 100_000);
            clients.add(a);
            subscribeDeclared(a, "*.eu", declared);
            Received other = new Received(n - 1);
            RelaisClient b = client(fixture, 100_000);
            clients.add(b);
            subscribeDeclared(b, "#", other);

            publish(publisher, n, 1024);
            // The healthy subscribers complete while the slow one is still stuck in its first message.
            for (Received r : List.of(declared, other)) {
                assertThat(r.last.await(60, TimeUnit.SECONDS)).as("the last message arrived").isTrue();
                assertThat(r.seqs()).isEqualTo(range(n));
            }
            assertThat(slow.seqs()).as("the slow subscriber is still on its first message").isEmpty();
            othersDone.countDown();
            assertThat(slow.last.await(60, TimeUnit.SECONDS)).as("the newest message is kept").isTrue();
            List<Long> got = slow.seqs();
            assertStrictlyIncreasing(got);
            assertThat(got.size()).as("the oldest were dropped").isLessThan(n);
            assertThat(got.get(got.size() - 1)).isEqualTo(n - 1);
            assertThat(slow.tags()).as("tags still 1, 2, 3, ...").isEqualTo(tagsUpTo(got.size()));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
