package io.relais.bench.scenario;

import io.relais.client.Backpressure;
import io.relais.client.ConfirmListener;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.Publisher;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.frame.QueueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link MessagingSystem} over client-java. A queue is reached by name through the default topic exchange, to
 * which it is bound with its own name. Clients share one handler pool so that the {@code connections}
 * scenario does not start a thread per connection. Thread-safe.
 */
final class RelaisSystem implements MessagingSystem {
    /** How long the backlog probe waits for the broker's answer. */
    private static final long PROBE_TIMEOUT_S = 30;
    private final String server;
    private final RelaisClient admin;
    private final ExecutorService handlers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-relais-handler");
        t.setDaemon(true);
        return t;
    });
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    RelaisSystem(String server) {
        this.server = server;
        this.admin = builder().connect();
    }

    private RelaisClient.Builder builder() {
        return RelaisClient.builder().server(server).reconnect(ReconnectPolicy.disabled()).clientName("relais-bench")
                .backpressure(Backpressure.BLOCK);
    }

    @Override
    public String name() {
        return "relais";
    }

    @Override
    public void declareQueue(String queue, boolean durable) {
        admin.declareQueue(QueueDeclaration.named(queue).durable(durable)).join();
        admin.bind(queue, "", queue).join();
        synchronized (queues) {
            queues.add(queue);
        }
    }

    @Override
    public void declareTopicExchange(String exchange) {
        admin.declareExchange(exchange, ExchangeType.TOPIC, false, false).join();
        synchronized (exchanges) {
            exchanges.add(exchange);
        }
    }

    private RelaisClient client(int maxUnconfirmed) {
        RelaisClient c = builder().maxUnconfirmed(Math.max(1, maxUnconfirmed)).connect();
        synchronized (open) {
            open.add(c);
        }
        return c;
    }

    @Override
    public Sender senderToQueue(String queue, int maxUnconfirmed, Stats stats) {
        return sender(client(maxUnconfirmed), "", queue, maxUnconfirmed, stats);
    }

    @Override
    public Sender senderToExchange(String exchange, String routingKey, Stats stats) {
        return sender(client(1), exchange, routingKey, 0, stats);
    }

    /**
     * Confirms go to a {@link ConfirmListener} by sequence number (no future per message); the send times of the
     * unconfirmed window are kept in a ring indexed by that number, written before the publish so that the
     * listener (on the client's network thread) always finds them. One thread sends through a sender.
     */
    private static Sender sender(RelaisClient client, String exchange, String key, int maxUnconfirmed, Stats stats) {
        boolean confirms = maxUnconfirmed > 0;
        int size = Integer.highestOneBit(Math.max(1, maxUnconfirmed) * 2 - 1) * 2;
        long[] sentAt = new long[size];
        int mask = size - 1;
        long[] reported = {0}; // highest seq reported; touched by the listener only
        Publisher publisher = !confirms ? null : client.publisher(new ConfirmListener() {
            @Override
            public void confirmed(long seq, boolean multiple) {
                for (long s = multiple ? reported[0] + 1 : seq; s <= seq; s++) {
                    stats.confirmed(sentAt[(int) (s & mask)]);
                }
                reported[0] = seq;
            }

            @Override
            public void nacked(long seq, RelaisException cause, boolean multiple) {
                reported[0] = seq; // not counted as confirmed
            }
        });
        return new Sender() {
            private long next = 1;

            @Override
            public void send(byte[] payload, boolean persistent) {
                Message m = Message.builder(key).exchange(exchange).payload(payload).persistent(persistent).build();
                if (confirms) {
                    sentAt[(int) (next & mask)] = Payloads.sentNanos(payload);
                    try {
                        next = publisher.publish(m) + 1;
                    } catch (RelaisException e) {
                        return; // refused at once (closing, window timeout): not sent, as a failed future was
                    }
                } else {
                    client.publishAndForget(m);
                }
                stats.sent();
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    @Override
    public AutoCloseable consume(String queue, int prefetch, Consumer<byte[]> onMessage) {
        RelaisClient c = client(1);
        SubscribeOptions options = SubscribeOptions.defaults().manualAck(prefetch > 0).prefetch(Math.max(prefetch, 0));
        c.subscribeQueue(queue, options, d -> {
            onMessage.accept(d.payload());
            if (prefetch > 0) {
                d.ack();
            }
        }).join();
        return c;
    }

    @Override
    public AutoCloseable subscribe(String exchange, String pattern, Consumer<byte[]> onMessage) {
        RelaisClient c = client(1);
        String queue = c.declareQueue(QueueDeclaration.serverNamed().exclusive(true).autoDelete(true)).join().name();
        c.bind(queue, exchange, pattern).join();
        c.subscribeQueue(queue, SubscribeOptions.defaults(), d -> onMessage.accept(d.payload())).join();
        return c;
    }

    @Override
    public long backlog() throws Exception {
        long n = 0;
        // The runner's broker holds only the current scenario's queues.
        for (QueueInfo q : admin.listQueues().get(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) {
            n += q.messages() + q.unacked();
        }
        return n;
    }

    @Override
    public void close() {
        synchronized (open) {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Closing after the measurement; nothing to report.
                }
            }
            open.clear();
        }
        for (String q : queues) {
            admin.deleteQueue(q, false, false).exceptionally(e -> 0L).join();
        }
        for (String x : exchanges) {
            admin.deleteExchange(x, false).exceptionally(e -> null).join();
        }
        admin.close();
        handlers.shutdown();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
