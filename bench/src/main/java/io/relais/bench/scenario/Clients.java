package io.relais.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The producers and consumers of one run in one process, started from role specs (one line each, fields
 * separated by commas) so that the runner can start the same ones in its own JVM or in client processes
 * ({@link ClientMain}):
 *
 * <ul>
 *   <li>{@code consume,QUEUE,PREFETCH}: a consumer; prefetch 0 means automatic acknowledgement</li>
 *   <li>{@code subscribe,EXCHANGE,PATTERN}: a subscriber through a private queue bound with the pattern</li>
 *   <li>{@code flat,TARGET,SIZE,PERSISTENT}: one producer as fast as the system takes it</li>
 *   <li>{@code paced,TARGET,SIZE,PERSISTENT,RATE}: one producer at a fixed rate ({@link #rate} changes it)</li>
 *   <li>{@code conns,QUEUE,N}: N connections, each publishing one message a second</li>
 * </ul>
 *
 * <p>TARGET is {@code q:QUEUE:MAX_UNCONFIRMED} or {@code x:EXCHANGE:ROUTING_KEY}. Thread-safe.
 */
final class Clients implements AutoCloseable {
    private final MessagingSystem system;
    private final Stats stats;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Thread> producers = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile long ratePerS;
    private volatile Exception failure;

    Clients(MessagingSystem system, Stats stats) {
        this.system = system;
        this.stats = stats;
    }

    static boolean isConsumer(String role) {
        return role.startsWith("consume,") || role.startsWith("subscribe,");
    }

    /** The first failure of a producer, or null. */
    Exception failure() {
        return failure;
    }

    void failure(Exception e) {
        if (!stopping.get() && failure == null) {
            failure = e;
        }
    }

    /** Sets the rate of every paced producer. */
    void rate(long perSecond) {
        ratePerS = perSecond;
    }

    synchronized void closeLater(AutoCloseable c) {
        resources.add(c);
    }

    /** Starts one role. */
    void start(String role) throws Exception {
        String[] f = role.split(",", -1);
        switch (f[0]) {
            case "consume" -> {
                int prefetch = Integer.parseInt(f[2]);
                closeLater(system.consume(f[1], prefetch, body -> stats.received(Payloads.sentNanos(body))));
            }
            case "subscribe" -> closeLater(system.subscribe(f[1], f[2],
                    body -> stats.received(Payloads.sentNanos(body))));
            case "flat" -> flatOut(sender(f[1]), Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]));
            case "paced" -> {
                ratePerS = Long.parseLong(f[4]);
                paced(sender(f[1]), Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]));
            }
            case "conns" -> connections(f[1], Integer.parseInt(f[2]));
            default -> throw new IllegalArgumentException("unknown client role '" + role + "'");
        }
    }

    private MessagingSystem.Sender sender(String target) throws Exception {
        String[] t = target.split(":", -1);
        MessagingSystem.Sender s = t[0].equals("q") ? system.senderToQueue(t[1], Integer.parseInt(t[2]), stats)
                : system.senderToExchange(t[1], t[2], stats);
        closeLater(s);
        return s;
    }

    private void flatOut(MessagingSystem.Sender sender, int size, boolean persistent) {
        startProducer(() -> {
            while (!stopping.get()) {
                sender.send(Payloads.stamped(size), persistent);
            }
        });
    }

    private void paced(MessagingSystem.Sender sender, int size, boolean persistent) {
        startProducer(() -> {
            long rate = ratePerS;
            long next = System.nanoTime();
            while (!stopping.get()) {
                if (ratePerS != rate) {
                    rate = ratePerS;
                    next = System.nanoTime();
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                sender.send(Payloads.stamped(size), persistent);
                next += 1_000_000_000L / rate;
            }
        });
    }

    private void connections(String queue, int n) {
        List<MessagingSystem.Sender> senders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                MessagingSystem.Sender s = system.senderToQueue(queue, 0, stats);
                senders.add(s);
                closeLater(s);
            } catch (Exception e) {
                throw new IllegalStateException("opened only " + i + " of " + n + " connections; the next failed with "
                        + e, e);
            }
        }
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-connections");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < senders.size(); i++) {
            MessagingSystem.Sender s = senders.get(i);
            timer.scheduleAtFixedRate(() -> {
                try {
                    s.send(Payloads.stamped(100), false);
                } catch (Exception e) {
                    failure(e);
                }
            }, i * 1000L / senders.size(), 1000, TimeUnit.MILLISECONDS);
        }
        closeLater(timer::shutdownNow);
    }

    private interface Loop {
        void run() throws Exception;
    }

    private void startProducer(Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (Exception e) {
                failure(e);
            }
        }, "bench-producer");
        t.setDaemon(true);
        synchronized (this) {
            producers.add(t);
        }
        t.start();
    }

    /** Stops the producers, then closes every sender and consumer, newest first. */
    @Override
    public void close() {
        stopping.set(true);
        List<Thread> threads;
        List<AutoCloseable> toClose;
        synchronized (this) {
            threads = List.copyOf(producers);
            toClose = new ArrayList<>(resources);
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception ignored) {
                // Tearing down after the measurement.
            }
        }
    }
}
