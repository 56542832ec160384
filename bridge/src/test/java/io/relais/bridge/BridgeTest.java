package io.relais.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.HttpConfig;
import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.Properties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge between a real Relais broker (in this JVM) and the real RabbitMQ on localhost. */
class BridgeTest {
    private final String run = "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + ".";
    private Connection rabbit;
    private Channel channel;
    private Broker broker;
    private Bridge bridge;
    private RelaisClient relais;

    @BeforeEach
    void start() throws Exception {
        rabbit = RabbitMq.connect();
        channel = rabbit.createChannel();
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(Files.createTempDirectory("bridge")));
        relais = RelaisClient.builder().port(broker.port()).connect();
    }

    @AfterEach
    void stop() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (relais != null) {
            relais.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (channel != null) {
            for (String q : List.of("to-rabbitmq." + run + "orders.#", "from-rabbitmq." + run + "alerts.#",
                    "to-rabbitmq." + run + "loop.#", "from-rabbitmq." + run + "loop.#")) {
                channel.queueDelete("relais-bridge." + q);
            }
            rabbit.close();
        }
    }

    /** A RabbitMQ queue bound to amq.topic with {@code key}, consumed into the returned inbox. */
    private BlockingQueue<Object[]> rabbitConsumer(String key) throws Exception {
        String q = channel.queueDeclare().getQueue();
        channel.queueBind(q, "amq.topic", key);
        BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        channel.basicConsume(q, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                got.add(new Object[] {env.getRoutingKey(), props, new String(body, StandardCharsets.UTF_8)});
            }
        });
        return got;
    }

    @Test
    void shouldMirrorBothWaysWithTheirPropertiesWhenStartedLikeTheReadmeSays() throws Exception {
        bridge = Bridge.start("127.0.0.1:" + broker.port(), new BridgeConfig(RabbitMq.URI,
                List.of(LinkConfig.toRabbitmq(run + "orders.#"), LinkConfig.fromRabbitmq(run + "alerts.#"))));
        BlockingQueue<Object[]> inRabbit = rabbitConsumer(run + "orders.#");
        BlockingQueue<Delivery> inRelais = new LinkedBlockingQueue<>();
        relais.subscribe("", run + "alerts.#", inRelais::add).join();

        Properties props = Properties.builder().contentType("text/plain").messageId("m-1").correlationId("c-1")
                .replyTo("answers").timestamp(1_790_000_000_000L).expiration(60_000L)
                .headers(Map.of("region", "eu", "count", 5L, "ok", true)).build();
        relais.publishConfirmed(Message.builder(run + "orders.eu").payload("x").properties(props).persistent(true)
                .build()).join();
        Object[] r = inRabbit.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("the order reached RabbitMQ").isNotNull();
        AMQP.BasicProperties p = (AMQP.BasicProperties) r[1];
        assertThat(r[0]).isEqualTo(run + "orders.eu");
        assertThat(r[2]).isEqualTo("x");
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getMessageId()).isEqualTo("m-1");
        assertThat(p.getCorrelationId()).isEqualTo("c-1");
        assertThat(p.getReplyTo()).isEqualTo("answers");
        assertThat(p.getTimestamp()).isEqualTo(new Date(1_790_000_000_000L));
        assertThat(p.getExpiration()).isEqualTo("60000");
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(PropertyMapping.scalar(p.getHeaders().get("region"))).isEqualTo("eu");
        assertThat(p.getHeaders().get("count")).isEqualTo(5L);
        assertThat(p.getHeaders().get("ok")).isEqualTo(true);
        assertThat(PropertyMapping.origin(p.getHeaders())).isEqualTo("relais");

        channel.basicPublish("amq.topic", run + "alerts.cpu", new AMQP.BasicProperties.Builder()
                .contentType("application/json").messageId("a-1").correlationId("c-2").replyTo("ops")
                .timestamp(new Date(1_790_000_001_000L)).expiration("30000").deliveryMode(1)
                .headers(Map.of("level", "high", "n", 7)).build(), "{\"cpu\":99}".getBytes(StandardCharsets.UTF_8));
        Delivery d = inRelais.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("the alert reached Relais").isNotNull();
        assertThat(d.routingKey()).isEqualTo(run + "alerts.cpu");
        assertThat(d.payloadAsString()).isEqualTo("{\"cpu\":99}");
        assertThat(d.persistent()).isFalse();
        Properties q = d.properties();
        assertThat(q.contentType()).isEqualTo("application/json");
        assertThat(q.messageId()).isEqualTo("a-1");
        assertThat(q.correlationId()).isEqualTo("c-2");
        assertThat(q.replyTo()).isEqualTo("ops");
        assertThat(q.timestamp()).isEqualTo(1_790_000_001_000L);
        assertThat(q.expiration()).isEqualTo(30_000L);
        assertThat(q.headers()).containsEntry("level", "high").containsEntry("n", 7L)
                .containsEntry(PropertyMapping.ORIGIN_HEADER, "rabbitmq");
        assertThat(bridge.counters().get("to-rabbitmq." + run + "orders.#").forwarded()).isEqualTo(1);
    }

    @Test
    void shouldNotBounceAMessageBackWhenLinksOverlapInBothDirections() throws Exception {
        bridge = Bridge.start("127.0.0.1:" + broker.port(), new BridgeConfig(RabbitMq.URI,
                List.of(LinkConfig.toRabbitmq(run + "loop.#"), LinkConfig.fromRabbitmq(run + "loop.#"))));
        BlockingQueue<Object[]> inRabbit = rabbitConsumer(run + "loop.#");
        BlockingQueue<Delivery> inRelais = new LinkedBlockingQueue<>();
        relais.subscribe("", run + "loop.#", inRelais::add).join();

        relais.publishConfirmed(Message.builder(run + "loop.a").payload("from relais").build()).join();
        channel.basicPublish("amq.topic", run + "loop.b", null, "from rabbitmq".getBytes(StandardCharsets.UTF_8));

        // Each side sees its own message and the other side's, once each.
        List<String> relaisGot = List.of(inRelais.poll(10, TimeUnit.SECONDS).payloadAsString(),
                inRelais.poll(10, TimeUnit.SECONDS).payloadAsString());
        assertThat(relaisGot).containsExactlyInAnyOrder("from relais", "from rabbitmq");
        List<String> rabbitGot = List.of((String) inRabbit.poll(10, TimeUnit.SECONDS)[2],
                (String) inRabbit.poll(10, TimeUnit.SECONDS)[2]);
        assertThat(rabbitGot).containsExactlyInAnyOrder("from relais", "from rabbitmq");
        // The copies that went across were seen by the opposite link and dropped, not sent back.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (totalLoopsDropped() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(totalLoopsDropped()).isEqualTo(2);
        assertThat(inRelais.poll(300, TimeUnit.MILLISECONDS)).as("no bounce into Relais").isNull();
        assertThat(inRabbit.poll(300, TimeUnit.MILLISECONDS)).as("no bounce into RabbitMQ").isNull();
    }

    /**
     * Numbers received at one end: which arrived, and whether their first arrivals kept the order they were
     * published in. Thread-safe.
     */
    private static final class Arrivals {
        private final BitSet seen = new BitSet();
        private int lastFirst;
        private int outOfOrder;

        synchronized void add(int n) {
            if (!seen.get(n)) {
                seen.set(n);
                if (n < lastFirst) {
                    outOfOrder++;
                }
                lastFirst = Math.max(lastFirst, n);
            }
        }

        synchronized int count() {
            return seen.cardinality();
        }

        synchronized int outOfOrder() {
            return outOfOrder;
        }
    }

    /**
     * Durable links keep every message across a RabbitMQ restart (stop_app, start_app) and a Relais restart
     * in the middle of the stream, and keep the order per source queue. 10,000 messages each way by default;
     * {@code -Drelais.bridge.messages=100000} runs the issue's 100,000.
     */
    @Test
    void shouldLoseNothingWhenRabbitMqAndRelaisRestartMidStream() throws Exception {
        int n = Integer.getInteger("relais.bridge.messages", 10_000);
        Path dataDir = Files.createTempDirectory("bridge-restart");
        broker.close();
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir));
        int port = broker.port();
        relais.close();
        relais = RelaisClient.builder().port(port).connect();
        bridge = Bridge.start("127.0.0.1:" + port, new BridgeConfig(RabbitMq.URI,
                List.of(LinkConfig.toRabbitmq(run + "orders.#"), LinkConfig.fromRabbitmq(run + "alerts.#"))));

        // Destination ends: a durable RabbitMQ queue and a durable Relais queue, consumed with acks.
        Arrivals inRabbit = new Arrivals();
        Connection consumerConn = RabbitMq.factory().newConnection("bridge-test-consumer");
        Channel consumer = consumerConn.createChannel();
        String rq = "relais-bridge-test." + run + "orders";
        consumer.queueDeclare(rq, true, false, false, null);
        consumer.queueBind(rq, "amq.topic", run + "orders.#");
        consumer.basicQos(500);
        consumer.basicConsume(rq, false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                inRabbit.add(Integer.parseInt(new String(body, StandardCharsets.UTF_8)));
                consumer.basicAck(env.getDeliveryTag(), false);
            }
        });
        Arrivals inRelais = new Arrivals();
        relais.declareQueue(QueueDeclaration.named(run + "alerts").durable(true)).join();
        relais.bind(run + "alerts", "", run + "alerts.#").join();
        relais.subscribeQueue(run + "alerts", SubscribeOptions.defaults().manualAck(true)
                .prefetch(500), d -> {
                    inRelais.add(Integer.parseInt(d.payloadAsString()));
                    d.ack();
                }).join();

        // Sources: persistent messages with confirms, each retried until confirmed.
        AtomicInteger sentToRelais = new AtomicInteger();
        AtomicInteger sentToRabbit = new AtomicInteger();
        Thread relaisPublisher = new Thread(() -> {
            for (int i = 1; i <= n; i++) {
                while (true) {
                    try {
                        relais.publishConfirmed(Message.builder(run + "orders.eu").payload(String.valueOf(i))
                                .persistent(true).build()).get(30, TimeUnit.SECONDS);
                        break;
                    } catch (Exception e) {
                        sleep(100);
                    }
                }
                sentToRelais.set(i);
            }
        }, "to-relais");
        Connection publisherConn = RabbitMq.factory().newConnection("bridge-test-publisher");
        Thread rabbitPublisher = new Thread(() -> {
            Channel ch = null;
            int batch = 100;
            for (int from = 1; from <= n; from += batch) {
                while (true) {
                    try {
                        if (ch == null || !ch.isOpen()) {
                            ch = publisherConn.createChannel();
                            ch.confirmSelect();
                        }
                        for (int i = from; i < from + batch && i <= n; i++) {
                            ch.basicPublish("amq.topic", run + "alerts.cpu", MessageProperties
                                    .PERSISTENT_BASIC, String.valueOf(i).getBytes(StandardCharsets.UTF_8));
                        }
                        ch.waitForConfirmsOrDie(10_000);
                        break;
                    } catch (Exception e) {
                        ch = null;
                        sleep(200);
                    }
                }
                sentToRabbit.set(Math.min(from + batch - 1, n));
            }
        }, "to-rabbitmq");
        relaisPublisher.start();
        rabbitPublisher.start();
        try {
            awaitAtLeast(sentToRelais, n / 3);
            RabbitMq.ctl("stop_app");
            Thread.sleep(1000);
            RabbitMq.ctl("start_app");
            awaitAtLeast(sentToRelais, 2 * n / 3);
            broker.close();
            broker = Broker.start(BrokerConfig.defaults().withPort(port).withDataDir(dataDir).withHttp(HttpConfig.DISABLED));
            relaisPublisher.join(TimeUnit.MINUTES.toMillis(5));
            rabbitPublisher.join(TimeUnit.MINUTES.toMillis(5));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while ((inRabbit.count() < n || inRelais.count() < n) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            RabbitMq.ctl("start_app");
        }
        assertThat(inRabbit.count()).as("Relais -> RabbitMQ: distinct messages arrived; %s",
                bridge.counters()).isEqualTo(n);
        assertThat(inRelais.count()).as("RabbitMQ -> Relais: distinct messages arrived; %s",
                bridge.counters()).isEqualTo(n);
        assertThat(inRabbit.outOfOrder()).as("first arrivals out of order, Relais -> RabbitMQ").isZero();
        assertThat(inRelais.outOfOrder()).as("first arrivals out of order, RabbitMQ -> Relais").isZero();
        consumer.queueDelete(rq);
        consumerConn.abort();
        publisherConn.abort();
    }

    private static void awaitAtLeast(AtomicInteger value, int target)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (value.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long totalLoopsDropped() {
        return bridge.counters().values().stream().mapToLong(LinkCounters::loopsDropped).sum();
    }
}
