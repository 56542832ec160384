package io.relais.bench.scenario;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.impl.nio.NioParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@link MessagingSystem} over RabbitMQ's amqp-client (NIO, so that a thousand connections do not need a
 * thousand reader threads). A queue is reached through the default exchange by its name. Thread-safe.
 */
final class RabbitSystem implements MessagingSystem {
    private static final String PREFIX = "relais-bench.";
    private final ConnectionFactory factory = new ConnectionFactory();
    private final Connection admin;
    private final Channel adminChannel;
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();
    private final List<Connection> open = new ArrayList<>();
    private final AtomicInteger subscriptions = new AtomicInteger();

    // NIO mode is deprecated in amqp-client 5.2x; it is what lets a thousand connections run on
    // four I/O threads here.
    @SuppressWarnings("deprecation")
    RabbitSystem(String uri) throws Exception {
        factory.setUri(uri);
        // NIO with a few I/O threads: a thousand connections without a thousand reader threads.
        factory.useNio();
        factory.setNioParams(new NioParams().setNbIoThreads(4));
        factory.setConnectionTimeout(60_000);
        factory.setHandshakeTimeout(60_000);
        factory.setAutomaticRecoveryEnabled(false);
        admin = factory.newConnection("relais-bench-admin");
        adminChannel = admin.createChannel();
    }

    private static String name(String base) {
        return PREFIX + base;
    }

    @Override
    public void declareQueue(String queue, boolean durable) throws IOException {
        adminChannel.queueDelete(name(queue));
        adminChannel.queueDeclare(name(queue), durable, false, false, null);
        synchronized (queues) {
            queues.add(name(queue));
        }
    }

    @Override
    public void declareTopicExchange(String exchange) throws IOException {
        adminChannel.exchangeDeclare(name(exchange), BuiltinExchangeType.TOPIC, false, false, null);
        synchronized (exchanges) {
            exchanges.add(name(exchange));
        }
    }

    private Connection connection() throws Exception {
        Connection c = factory.newConnection("relais-bench");
        synchronized (open) {
            open.add(c);
        }
        return c;
    }

    @Override
    public Sender senderToQueue(String queue, int maxUnconfirmed, Stats stats) throws Exception {
        return sender(connection().createChannel(), "", name(queue), maxUnconfirmed, stats);
    }

    @Override
    public Sender senderToExchange(String exchange, String routingKey, Stats stats) throws Exception {
        return sender(connection().createChannel(), name(exchange), routingKey, 0, stats);
    }

    private static Sender sender(Channel ch, String exchange, String key, int maxUnconfirmed, Stats stats)
            throws IOException {
        Semaphore window = maxUnconfirmed > 0 ? new Semaphore(maxUnconfirmed) : null;
        ConcurrentSkipListMap<Long, Long> sentAt = new ConcurrentSkipListMap<>();
        if (window != null) {
            ch.confirmSelect();
            ch.addConfirmListener((tag, multiple) -> settle(tag, multiple, sentAt, window, stats, true),
                    (tag, multiple) -> settle(tag, multiple, sentAt, window, stats, false));
        }
        return new Sender() {
            @Override
            public void send(byte[] payload, boolean persistent) throws Exception {
                AMQP.BasicProperties props = persistent ? MessageProperties.PERSISTENT_BASIC : null;
                if (window != null) {
                    window.acquire();
                    sentAt.put(ch.getNextPublishSeqNo(), Payloads.sentNanos(payload));
                }
                ch.basicPublish(exchange, key, props, payload);
                stats.sent();
            }

            @Override
            public void close() throws IOException {
                if (ch.isOpen()) {
                    try {
                        ch.close();
                    } catch (TimeoutException e) {
                        throw new IOException("RabbitMQ did not close the channel in time", e);
                    }
                }
            }
        };
    }

    private static void settle(long tag, boolean multiple, ConcurrentSkipListMap<Long, Long> sentAt, Semaphore window,
                               Stats stats, boolean ack) {
        var settled = multiple ? sentAt.headMap(tag, true) : sentAt.subMap(tag, true, tag, true);
        int n = 0;
        for (Long at : settled.values()) {
            if (ack) {
                stats.confirmed(at);
            }
            n++;
        }
        settled.clear();
        window.release(n);
    }

    @Override
    public AutoCloseable consume(String queue, int prefetch, Consumer<byte[]> onMessage) throws Exception {
        Connection c = connection();
        Channel ch = c.createChannel();
        boolean autoAck = prefetch <= 0;
        if (!autoAck) {
            ch.basicQos(prefetch);
        }
        ch.basicConsume(name(queue), autoAck, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                onMessage.accept(body);
                if (!autoAck) {
                    ch.basicAck(envelope.getDeliveryTag(), false);
                }
            }
        });
        return c;
    }

    @Override
    public AutoCloseable subscribe(String exchange, String pattern, Consumer<byte[]> onMessage) throws Exception {
        Connection c = connection();
        Channel ch = c.createChannel();
        // A named auto-delete queue rather than a server-named exclusive one, so that the backlog probe on
        // the admin connection can declare it passively.
        String queue = name("sub-" + subscriptions.incrementAndGet());
        ch.queueDeclare(queue, false, false, true, null);
        ch.queueBind(queue, name(exchange), pattern);
        synchronized (queues) {
            queues.add(queue);
        }
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                onMessage.accept(body);
            }
        });
        return c;
    }

    @Override
    public long backlog() throws IOException {
        long n = 0;
        synchronized (queues) {
            for (String q : queues) {
                n += adminChannel.queueDeclarePassive(q).getMessageCount();
            }
        }
        return n;
    }

    @Override
    public String name() {
        return "rabbitmq-amqp";
    }

    @Override
    public void close() throws IOException {
        synchronized (open) {
            for (Connection c : open) {
                if (c.isOpen()) {
                    c.abort(2000);
                }
            }
            open.clear();
        }
        for (String q : queues) {
            if (adminChannel.isOpen()) {
                adminChannel.queueDelete(q);
            }
        }
        for (String x : exchanges) {
            adminChannel.exchangeDelete(x);
        }
        admin.close((int) TimeUnit.SECONDS.toMillis(5));
    }
}
