package io.relais.cli;

import io.relais.client.Message;
import io.relais.client.RelaisClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes persistent messages with confirms, continuously, whose payloads are the decimal numbers of a
 * shared, strictly increasing sequence; keeps at most {@value #MAX_IN_FLIGHT} unconfirmed, and records
 * every confirm and every failure in the {@link DeliveryLedger}. It ends when {@linkplain #stop() stopped}
 * or when its connection is lost (the broker was killed).
 *
 * <p>Threads: publishes from its own thread; confirm callbacks run on the client's network thread;
 * {@link #start()}, {@link #stop()} and {@link #awaitEnd(Duration)} are for the test thread.
 */
final class SequencePublisher {
    static final int MAX_IN_FLIGHT = 200;

    private final RelaisClient client;
    private final String exchange;
    private final String routingKey;
    private final AtomicLong sequence;
    private final DeliveryLedger ledger;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicLong confirms = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * @param sequence the last number published so far; the next message carries its successor
     */
    SequencePublisher(RelaisClient client, String exchange, String routingKey, AtomicLong sequence,
            DeliveryLedger ledger) {
        this.client = client;
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.sequence = sequence;
        this.ledger = ledger;
        this.thread = new Thread(this::run, "sequence-publisher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (!stopped && client.isOpen()) {
                if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    publish(sequence.incrementAndGet());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish(long n) {
        CompletableFuture<Void> confirm;
        try {
            confirm = client.publishConfirmed(Message.builder(routingKey).exchange(exchange)
                    .payload(Long.toString(n)).persistent(true).build());
        } catch (RuntimeException e) {
            failed(n, e);
            return;
        }
        confirm.whenComplete((ok, error) -> {
            if (error == null) {
                ledger.confirmed(n);
                confirms.incrementAndGet();
                inFlight.release();
            } else {
                failed(n, error);
            }
        });
    }

    private void failed(long n, Throwable error) {
        ledger.failed(n);
        firstFailure.compareAndSet(null, error);
        inFlight.release();
    }

    /** Asks it to stop publishing; see {@link #awaitEnd(Duration)}. */
    void stop() {
        stopped = true;
    }

    /**
     * Waits until it has stopped publishing (stopped, or its connection lost) and every publish has been
     * confirmed or has failed.
     */
    void awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive() || !inFlight.tryAcquire(MAX_IN_FLIGHT, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("publisher did not end within " + timeout.toSeconds() + " s: "
                    + (MAX_IN_FLIGHT - inFlight.availablePermits()) + " publishes neither confirmed nor failed, "
                    + "connection open: " + client.isOpen());
        }
        inFlight.release(MAX_IN_FLIGHT);
    }

    long confirms() {
        return confirms.get();
    }

    /** Why the first publish failed, for messages; null if none did. */
    Throwable firstFailure() {
        return firstFailure.get();
    }
}
