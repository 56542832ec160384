package io.relais.client.impl;

import io.relais.client.MessageHandler;
import io.relais.client.RelaisException;
import io.relais.client.Subscription;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a connection: its id, handler and acknowledgement mode, and the queue the broker
 * named in SUBSCRIBE_OK.
 *
 * <p>Thread-safe: registered in and removed from the connection's table on the event loop; {@link #cancel()}
 * may be called from any thread.
 */
final class ActiveSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveSubscription.class);

    private final Connection connection;
    private final long sid;
    private final MessageHandler handler;
    private final boolean manualAck;
    private final boolean batchAcks;
    private final AtomicReference<CompletableFuture<Void>> cancel = new AtomicReference<>();
    private volatile String queue = "";
    private volatile boolean ended;
    private volatile boolean requeuedByBroker;
    private final CompletableFuture<RelaisException> brokerCancel = new CompletableFuture<>();

    ActiveSubscription(Connection connection, long sid, MessageHandler handler, boolean manualAck,
            boolean batchAcks) {
        this.connection = connection;
        this.sid = sid;
        this.handler = handler;
        this.manualAck = manualAck;
        this.batchAcks = batchAcks;
    }

    @Override
    public long sid() {
        return sid;
    }

    @Override
    public String queue() {
        return queue;
    }

    void queue(String queue) {
        this.queue = queue;
    }

    boolean manualAck() {
        return manualAck;
    }

    /** True when its acknowledgements may be coalesced into ACKs with {@code multiple}. */
    boolean batchAcks() {
        return batchAcks;
    }

    /** True once cancelled by the client, by the broker, or by the connection closing. */
    boolean ended() {
        return ended;
    }

    void markEnded() {
        ended = true;
    }

    /**
     * The broker ended the subscription (CANCELLED) for {@code reason}; {@code requeued} when it also took back
     * every unacknowledged delivery of it (the consumer timeout), so that settling them is pointless.
     */
    void brokerCancelled(RelaisException reason, boolean requeued) {
        requeuedByBroker = requeued;
        ended = true;
        brokerCancel.complete(reason);
    }

    /** True when the broker took back this subscription's unacknowledged deliveries. */
    boolean requeuedByBroker() {
        return requeuedByBroker;
    }

    @Override
    public CompletableFuture<RelaisException> cancelledByBroker() {
        return brokerCancel;
    }

    /** Runs the handler; on the handler executor. */
    void handle(IncomingDelivery delivery) {
        try {
            handler.onMessage(delivery);
        } catch (RuntimeException | Error e) {
            LOG.warn("message handler of subscription {} (queue '{}') failed on {}", sid, queue, delivery, e);
        }
    }

    @Override
    public CompletableFuture<Void> cancel() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!cancel.compareAndSet(null, f)) {
            return cancel.get();
        }
        if (ended) {
            f.complete(null);
        } else {
            connection.cancel(this).whenComplete((v, e) -> {
                if (e == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(e);
                }
            });
        }
        return f;
    }

    @Override
    public String toString() {
        return "Subscription[sid=" + sid + ", queue=" + queue + ", manualAck=" + manualAck + "]";
    }
}
