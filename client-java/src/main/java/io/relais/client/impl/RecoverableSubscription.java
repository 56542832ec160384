package io.relais.client.impl;

import io.relais.client.MessageHandler;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A subscription as the application sees it: stable across reconnects, backed by the subscription of the
 * current connection ({@link #resubscribe} makes a new one on each new connection). While it is not cancelled
 * it is recorded in the client's {@link DeclaredTopology}.
 *
 * <p>When the broker ends the current delegate on its own (CANCELLED), this subscription ends too: it leaves the
 * topology, so that it is not made again after a reconnect, and {@link #cancelledByBroker()} completes.
 *
 * <p>Thread-safe: the delegate and the queue name are volatile; making it again and cancelling it are
 * serialized on this object's monitor, so a cancel during a resubscribe cancels the new delegate.
 */
final class RecoverableSubscription implements Subscription {
    private final DeclaredTopology topology;
    private final BooleanSupplier connected;
    private final String exchange;
    private final String pattern;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    /** The queue consumed, or null for a pattern subscription (the broker names its queue). */
    private volatile String queue;
    private volatile Subscription delegate;
    private volatile CompletableFuture<Void> cancelled;
    private final CompletableFuture<RelaisException> brokerCancel = new CompletableFuture<>();

    /**
     * @param connected whether the client is connected now (a cancel while it is not has nothing to send)
     * @param queue the queue to consume, or {@code null} for a pattern subscription on {@code exchange}
     */
    RecoverableSubscription(DeclaredTopology topology, BooleanSupplier connected, String queue, String exchange,
            String pattern, SubscribeOptions options, MessageHandler handler) {
        this.topology = topology;
        this.connected = connected;
        this.queue = queue;
        this.exchange = exchange;
        this.pattern = pattern;
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Subscribes on {@code conn} and makes that subscription the delegate; completes when the broker agreed. */
    CompletableFuture<Void> resubscribe(Connection conn) {
        String q = queue;
        CompletableFuture<Subscription> f = q == null ? conn.subscribe("", exchange, pattern, options, handler)
                : conn.subscribe(q, "", "", options, handler);
        return f.thenAccept(s -> {
            synchronized (this) {
                delegate = s;
                if (cancelled != null) {
                    s.cancel(); // cancelled while it was being made again
                }
            }
            s.cancelledByBroker().thenAccept(this::brokerCancelled);
        });
    }

    /** The broker ended the current delegate: this subscription is over, and is not made again. */
    private synchronized void brokerCancelled(RelaisException reason) {
        if (cancelled == null) {
            topology.cancelled(this);
            cancelled = CompletableFuture.completedFuture(null);
        }
        brokerCancel.complete(reason);
    }

    /** A server-named queue came back with another name. */
    void queueRenamed(String oldName, String newName) {
        if (oldName.equals(queue)) {
            queue = newName;
        }
    }

    @Override
    public long sid() {
        return delegate.sid();
    }

    @Override
    public String queue() {
        return delegate.queue();
    }

    @Override
    public CompletableFuture<RelaisException> cancelledByBroker() {
        return brokerCancel;
    }

    @Override
    public synchronized CompletableFuture<Void> cancel() {
        if (cancelled == null) {
            topology.cancelled(this);
            cancelled = connected.getAsBoolean() ? delegate.cancel() : CompletableFuture.completedFuture(null);
        }
        return cancelled;
    }

    @Override
    public String toString() {
        return "Subscription[" + (queue == null ? "'" + exchange + "' with '" + pattern + "'" : "queue '"
                + queue + "'") + " via " + delegate + "]";
    }
}
