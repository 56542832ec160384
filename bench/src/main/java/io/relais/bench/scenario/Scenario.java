package io.relais.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The scenarios, each with identical semantics on both systems (see {@code bench/README.md}): what is
 * declared, how many producers and consumers, message size, persistence, confirms, acknowledgements and
 * rate. Each warms up, then measures. Stateless constants; {@link #run} is called from one thread.
 */
enum Scenario {
    /** Non-persistent, 1 producer, 1 consumer, 100 bytes, as fast as it goes, automatic ack. */
    TRANSIENT("transient") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("transient", false);
            run.consumer("transient", 0);
            run.flatOut(run.system.senderToQueue("transient", 0, run.stats), 100, false);
        }
    },
    /** Persistent to a durable queue, up to 1,000 unconfirmed, manual acks with prefetch 500, 100 bytes. */
    DURABLE("durable") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable", 100);
        }
    },
    /** {@link #DURABLE} with 1 KB messages. */
    DURABLE_1K("durable-1k") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable-1k", 1024);
        }
    },
    /** {@link #DURABLE} with 64 KB messages. */
    DURABLE_64K("durable-64k") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable-64k", 64 * 1024);
        }
    },
    /** 1 producer, 10 subscribers bound with wildcard patterns on a topic exchange, 100 bytes, non-persistent. */
    FANOUT("fanout") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareTopicExchange("fanout");
            String[] patterns = {"fan.#", "fan.*", "#", "*.eu", "fan.eu", "#.eu", "*.*", "fan.#.eu", "#.#", "*.#"};
            for (String p : patterns) {
                run.closeLater(run.system.subscribe("fanout", p, body -> run.stats.received(Payloads.sentNanos(body))));
            }
            run.flatOut(run.system.senderToExchange("fanout", "fan.eu", run.stats), 100, false);
        }
    },
    /** {@link #DURABLE} paced at 5,000 messages per second: end-to-end and confirm latency. */
    LATENCY("latency") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("latency", true);
            run.consumer("latency", 500);
            run.paced(run.system.senderToQueue("latency", 1000, run.stats), 100, true, 5000);
        }
    },
    /** Many connections (1,000 by default) each publishing one 100-byte message a second; one consumer. */
    CONNECTIONS("connections") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("connections", false);
            run.consumer("connections", 0);
            List<MessagingSystem.Sender> senders = new ArrayList<>();
            for (int i = 0; i < run.connections; i++) {
                try {
                    senders.add(run.system.senderToQueue("connections", 0, run.stats));
                } catch (Exception e) {
                    senders.forEach(run::closeLater);
                    throw new IllegalStateException("opened only " + i + " of " + run.connections
                            + " connections; the next failed with " + e, e);
                }
            }
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "bench-connections");
                t.setDaemon(true);
                return t;
            });
            for (int i = 0; i < senders.size(); i++) {
                MessagingSystem.Sender s = senders.get(i);
                run.closeLater(s);
                timer.scheduleAtFixedRate(() -> {
                    try {
                        s.send(Payloads.stamped(100), false);
                    } catch (Exception e) {
                        run.failure(e);
                    }
                }, i * 1000L / senders.size(), 1000, TimeUnit.MILLISECONDS);
            }
            run.closeLater(timer::shutdownNow);
        }
    };

    private final String id;

    Scenario(String id) {
        this.id = id;
    }

    /** The name used on the command line and in results. */
    String id() {
        return id;
    }

    /** Declares, starts consumers and producers; they run until the {@link Run} closes them. */
    abstract void setUp(Run run) throws Exception;

    static void durable(Run run, String queue, int size) throws Exception {
        run.system.declareQueue(queue, true);
        run.consumer(queue, 500);
        run.flatOut(run.system.senderToQueue(queue, 1000, run.stats), size, true);
    }

    /** The scenario named {@code id}. */
    static Scenario byId(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; known: " + ids());
    }

    static String ids() {
        List<String> ids = new ArrayList<>();
        for (Scenario s : values()) {
            ids.add(s.id);
        }
        return String.join(", ", ids);
    }

    /** Runs this scenario on {@code system}: set up, warm up, measure, tear down. */
    Result run(MessagingSystem system, double warmupSeconds, double seconds, int connections) {
        Run run = new Run(system, connections);
        try {
            setUp(run);
            sleep(warmupSeconds);
            run.stats.reset();
            long start = System.nanoTime();
            sleep(seconds);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Result result = Result.of(id, system.name(), run.stats, elapsed);
            run.stop();
            if (run.failure != null) {
                return Result.failed(id, system.name(), run.failure);
            }
            return result;
        } catch (Exception e) {
            run.stop();
            return Result.failed(id, system.name(), e);
        }
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    /** The moving parts of one run: stats, producer threads, things to close. Thread-safe where it matters. */
    static final class Run {
        final MessagingSystem system;
        final int connections;
        final Stats stats = new Stats();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<Thread> producers = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();
        private volatile Exception failure;

        Run(MessagingSystem system, int connections) {
            this.system = system;
            this.connections = connections;
        }

        void closeLater(AutoCloseable c) {
            resources.add(c);
        }

        void failure(Exception e) {
            if (!stopping.get() && failure == null) {
                failure = e;
            }
        }

        void consumer(String queue, int prefetch) throws Exception {
            closeLater(system.consume(queue, prefetch, body -> stats.received(Payloads.sentNanos(body))));
        }

        /** One producer sending as fast as the system takes it. */
        void flatOut(MessagingSystem.Sender sender, int size, boolean persistent) {
            closeLater(sender);
            start(() -> {
                while (!stopping.get()) {
                    sender.send(Payloads.stamped(size), persistent);
                }
            });
        }

        /** One producer sending {@code perSecond} messages a second, on schedule. */
        void paced(MessagingSystem.Sender sender, int size, boolean persistent, int perSecond) {
            closeLater(sender);
            long interval = 1_000_000_000L / perSecond;
            start(() -> {
                long next = System.nanoTime();
                while (!stopping.get()) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    sender.send(Payloads.stamped(size), persistent);
                    next += interval;
                }
            });
        }

        private interface Loop {
            void run() throws Exception;
        }

        private void start(Loop loop) {
            Thread t = new Thread(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    failure(e);
                }
            }, "bench-producer");
            t.setDaemon(true);
            producers.add(t);
            t.start();
        }

        void stop() {
            stopping.set(true);
            for (Thread t : producers) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception ignored) {
                    // Tearing down after the measurement.
                }
            }
        }
    }
}
