package io.relais.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running link: its source puts what it receives into a bounded inbox (the source's prefetch keeps it
 * from ever filling), and one forwarding thread takes batches in order, drops those that came from the
 * destination side (no loops), publishes the rest and, at least once, waits for every confirm before it
 * acknowledges the batch at the source. A batch that fails (the destination is away) is sent again, whole
 * and in order, after a backoff, until it goes through; meanwhile nothing more is taken from the source
 * beyond its prefetch, so flow stops there. Duplicates are possible (at least once); losses are not.
 *
 * <p>Threads: the source's delivery thread fills the inbox; the forwarding thread owns the rest.
 */
final class Link implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Link.class);
    private static final long CONFIRM_TIMEOUT_SECONDS = 30;

    private final LinkConfig config;
    private final BlockingQueue<Inbound> inbox;
    private final Destination destination;
    private final LinkCounters counters;
    private final Thread worker;
    private volatile boolean running = true;

    Link(LinkConfig config, BlockingQueue<Inbound> inbox, Destination destination, LinkCounters counters) {
        this.config = config;
        this.inbox = inbox;
        this.destination = destination;
        this.counters = counters;
        this.worker = new Thread(this::forward, "relais-bridge-" + config.name());
        this.worker.setDaemon(true);
    }

    static BlockingQueue<Inbound> inboxFor(LinkConfig config) {
        return new ArrayBlockingQueue<>(2 * config.prefetch() + config.batch());
    }

    void start() {
        worker.start();
    }

    LinkCounters counters() {
        return counters;
    }

    private void forward() {
        List<Inbound> batch = new ArrayList<>(config.batch());
        while (running) {
            try {
                Inbound first = inbox.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                inbox.drainTo(batch, config.batch() - 1);
                forward(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                counters.errors.incrementAndGet();
                LOG.error("link {}: unexpected failure; the batch goes back to the source", config.name(), e);
                batch.forEach(m -> m.settler().requeue());
                counters.inFlight.addAndGet(-batch.size());
                try {
                    Thread.sleep(1000); // no hot loop if the same batch fails the same way again
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void forward(List<Inbound> batch) throws InterruptedException {
        List<Inbound> send = new ArrayList<>(batch.size());
        List<String> origins = new ArrayList<>(batch.size());
        for (Inbound m : batch) {
            if (m.redelivered()) {
                counters.redelivered.incrementAndGet();
            }
            String origin = PropertyMapping.origin(m.properties().headers());
            if (config.direction().destinationSide().equals(origin)) {
                counters.loopsDropped.incrementAndGet(); // it came from there: sending it back would loop
            } else {
                send.add(m);
                origins.add(origin != null ? origin : config.direction().sourceSide());
            }
        }
        long backoff = 100;
        while (running) {
            List<CompletableFuture<Void>> sent = new ArrayList<>(send.size());
            for (int i = 0; i < send.size(); i++) {
                Inbound m = send.get(i);
                sent.add(destination.publish(config.destinationExchange(), config.routingKey().apply(m.routingKey()),
                        m, origins.get(i), config.atLeastOnce()));
            }
            try {
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                        .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                break;
            } catch (ExecutionException | TimeoutException e) {
                if (!config.atLeastOnce()) {
                    counters.errors.incrementAndGet();
                    LOG.warn("link {}: {} messages lost (at most once): {}", config.name(), send.size(), e.toString());
                    break;
                }
                counters.errors.incrementAndGet();
                LOG.warn("link {}: the destination did not take a batch of {} ({}); retrying in {} ms",
                        config.name(), send.size(), e.getCause() == null ? e : e.getCause().getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
        if (!running) {
            batch.forEach(m -> m.settler().requeue());
        } else {
            counters.forwarded.addAndGet(send.size());
            batch.forEach(m -> m.settler().ack());
        }
        counters.inFlight.addAndGet(-batch.size());
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            // Still hand back what is left below; the caller's thread keeps its interrupt.
            Thread.currentThread().interrupt();
        }
        Inbound m;
        while ((m = inbox.poll()) != null) {
            m.settler().requeue();
        }
    }
}
