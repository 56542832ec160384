package io.relais.bench.scenario;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * {@link MessagingSystem} over NATS with jnats. What needs confirms and acknowledgements runs on JetStream;
 * the rest on core NATS:
 *
 * <ul>
 *   <li>A durable queue is a JetStream stream with file storage on subject {@code bench.q.NAME}. Its sender
 *       publishes asynchronously ({@code publishAsync}) with at most {@code maxUnconfirmed} publish acks
 *       outstanding; its consumer is a durable pull consumer with explicit acks and {@code max_ack_pending}
 *       equal to the prefetch, read with {@code consume()} (continuous pull in batches of the prefetch), one
 *       ack per message.</li>
 *   <li>A non-durable queue is the core subject {@code bench.q.NAME}, its consumer a core subscription.</li>
 *   <li>A topic exchange is a subject prefix; a pattern binding is a core subscription, with {@code #}
 *       written as NATS allows ({@link #natsPattern}).</li>
 * </ul>
 *
 * <p>Every sender and receiver has its own connection. The backlog is, for streams, each consumer's
 * {@code num_pending} plus {@code num_ack_pending}; for core subscriptions, the messages pending in the
 * subscriber plus those it dropped as a slow consumer (core NATS keeps no backlog in the server). Thread-safe.
 */
final class NatsSystem implements MessagingSystem {
    /** Where the NATS server is by default. */
    static final String DEFAULT_URL = "nats://localhost:4222";
    private static final String CONSUMER = "bench";
    /** The closest NATS subject pattern to each binding pattern of the fanout scenario (NATS has no inner #). */
    private static final Map<String, String> FANOUT_PATTERNS = Map.of("fan.#", "fan.>", "#", ">", "#.eu", "*.eu",
            "fan.#.eu", "fan.>", "#.#", ">", "*.#", "*.>");

    private final String url;
    private final Connection admin;
    private final JetStreamManagement jsm;
    private final List<String> streams = new ArrayList<>();
    private final List<Dispatcher> coreSubscriptions = new ArrayList<>();
    private final List<Connection> open = new ArrayList<>();

    NatsSystem(String url) throws IOException, InterruptedException {
        this.url = url;
        this.admin = connect("relais-bench-admin");
        this.jsm = admin.jetStreamManagement();
    }

    private Connection connect(String name) throws IOException, InterruptedException {
        return Nats.connect(Options.builder().server(url).connectionName(name).noReconnect().build());
    }

    private Connection connection() throws IOException, InterruptedException {
        Connection c = connect("relais-bench");
        synchronized (open) {
            open.add(c);
        }
        return c;
    }

    @Override
    public String name() {
        return "nats";
    }

    /** The server's version, for the report. */
    String serverVersion() {
        return admin.getServerInfo().getVersion();
    }

    private static String subject(String queue) {
        return "bench.q." + queue;
    }

    private static String stream(String queue) {
        return "bench-" + queue;
    }

    @Override
    public void declareQueue(String queue, boolean durable) throws IOException, JetStreamApiException {
        if (!durable) {
            return;
        }
        try {
            jsm.deleteStream(stream(queue));
        } catch (JetStreamApiException notThere) {
            // A stream left by an earlier run is gone now; none was there.
        }
        jsm.addStream(StreamConfiguration.builder().name(stream(queue)).subjects(subject(queue))
                .storageType(StorageType.File).build());
        synchronized (streams) {
            streams.add(stream(queue));
        }
    }

    @Override
    public void declareTopicExchange(String exchange) {
        // A subject prefix; nothing to declare.
    }

    /** A binding pattern in NATS syntax: {@code #} at the end is {@code >}, elsewhere the closest match. */
    static String natsPattern(String pattern) {
        String known = FANOUT_PATTERNS.get(pattern);
        if (known != null) {
            return known;
        }
        return pattern.endsWith("#") ? pattern.substring(0, pattern.length() - 1) + ">" : pattern.replace("#", "*");
    }

    @Override
    public Sender senderToQueue(String queue, int maxUnconfirmed, Stats stats) throws Exception {
        Connection c = connection();
        return maxUnconfirmed > 0 ? jetStreamSender(c, subject(queue), maxUnconfirmed, stats)
                : coreSender(c, subject(queue), stats);
    }

    @Override
    public Sender senderToExchange(String exchange, String routingKey, Stats stats) throws Exception {
        return coreSender(connection(), exchange + "." + routingKey, stats);
    }

    private static Sender coreSender(Connection c, String subject, Stats stats) {
        return new Sender() {
            @Override
            public void send(byte[] payload, boolean persistent) {
                while (true) {
                    try {
                        c.publish(subject, payload);
                        break;
                    } catch (IllegalStateException full) {
                        if (c.getStatus() != Connection.Status.CONNECTED) {
                            throw full;
                        }
                        // The outgoing queue is full: wait for the writer, as a blocking client would.
                        LockSupport.parkNanos(20_000);
                    }
                }
                stats.sent();
            }

            @Override
            public void close() {
                closeQuietly(c);
            }
        };
    }

    private static Sender jetStreamSender(Connection c, String subject, int window, Stats stats) throws IOException {
        JetStream js = c.jetStream();
        Semaphore unconfirmed = new Semaphore(window);
        return new Sender() {
            @Override
            public void send(byte[] payload, boolean persistent) throws InterruptedException {
                unconfirmed.acquire();
                long sentAt = Payloads.sentNanos(payload);
                js.publishAsync(subject, payload).whenComplete((ack, error) -> {
                    if (error == null) {
                        stats.confirmed(sentAt);
                    }
                    unconfirmed.release();
                });
                stats.sent();
            }

            @Override
            public void close() {
                closeQuietly(c);
            }
        };
    }

    @Override
    public AutoCloseable consume(String queue, int prefetch, Consumer<byte[]> onMessage) throws Exception {
        Connection c = connection();
        if (prefetch <= 0) {
            return coreSubscribe(c, subject(queue), onMessage);
        }
        JetStreamManagement m = c.jetStreamManagement();
        m.addOrUpdateConsumer(stream(queue), ConsumerConfiguration.builder().durable(CONSUMER)
                .ackPolicy(AckPolicy.Explicit).maxAckPending(prefetch).build());
        ConsumerContext context = c.getStreamContext(stream(queue)).getConsumerContext(CONSUMER);
        MessageConsumer consumer = context.consume(ConsumeOptions.builder().batchSize(prefetch).build(), msg -> {
            onMessage.accept(msg.getData());
            msg.ack();
        });
        return () -> {
            consumer.stop();
            closeQuietly(c);
        };
    }

    @Override
    public AutoCloseable subscribe(String exchange, String pattern, Consumer<byte[]> onMessage) throws Exception {
        return coreSubscribe(connection(), exchange + "." + natsPattern(pattern), onMessage);
    }

    private AutoCloseable coreSubscribe(Connection c, String subject, Consumer<byte[]> onMessage)
            throws Exception {
        Dispatcher d = c.createDispatcher(msg -> onMessage.accept(msg.getData()));
        d.subscribe(subject);
        c.flush(Duration.ofSeconds(5));
        synchronized (coreSubscriptions) {
            coreSubscriptions.add(d);
        }
        return () -> closeQuietly(c);
    }

    @Override
    public long backlog() throws IOException, JetStreamApiException {
        long n = 0;
        List<String> names;
        synchronized (streams) {
            names = List.copyOf(streams);
        }
        for (String s : names) {
            for (ConsumerInfo info : jsm.getConsumers(s)) {
                n += info.getNumPending() + info.getNumAckPending();
            }
        }
        return n;
    }

    @Override
    public long clientBacklog() {
        long n = 0;
        synchronized (coreSubscriptions) {
            for (Dispatcher d : coreSubscriptions) {
                n += d.getPendingMessageCount() + d.getDroppedCount();
            }
        }
        return n;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (open) {
            open.forEach(NatsSystem::closeQuietly);
            open.clear();
        }
        synchronized (streams) {
            for (String s : streams) {
                try {
                    jsm.deleteStream(s);
                } catch (JetStreamApiException e) {
                    // Already gone.
                }
            }
            streams.clear();
        }
        closeQuietly(admin);
    }
}
