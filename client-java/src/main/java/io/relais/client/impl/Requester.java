package io.relais.client.impl;

import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.RequestTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requesting side of request/reply (PROTOCOL.md section 8) for one client: one reply inbox, and the
 * requests in flight matched to their replies by correlation id.
 *
 * <p>The inbox is a pattern subscription with automatic ack on the default exchange, with the routing key
 * {@code _reply.<connection id>}, made on the first request and kept for the client's life. Each request is
 * published with confirm and the mandatory flag, {@code reply_to} = the inbox key and {@code correlation_id}
 * = the next value of a per-requester counter. It uses only the public {@link RelaisClient} methods of the
 * client it is given, so it works over any implementation of that interface.
 *
 * <p>Thread-safe: requests may be sent from any thread; the table of requests in flight is a concurrent map,
 * and the inbox is created once under a lock. A request's future is completed on the client's handler
 * executor (reply, close), on the shared timer thread (timeout) or on a network thread (refused, returned).
 */
public final class Requester {
    private static final Logger LOG = LoggerFactory.getLogger(Requester.class);

    /** Start of the inbox routing key; the connection id follows. */
    public static final String INBOX_PREFIX = "_reply.";

    private final RelaisClient client;
    private final Map<String, CompletableFuture<Delivery>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong lastCorrelationId = new AtomicLong();
    private final Object inboxLock = new Object();
    private CompletableFuture<String> inbox; // guarded by inboxLock; completes with the inbox routing key
    private volatile boolean closed;

    /**
     * @param client the client to send requests and receive replies through
     * @param clientClosed completes when the client has closed: the requests still in flight then fail
     */
    public Requester(RelaisClient client, CompletionStage<?> clientClosed) {
        this.client = Objects.requireNonNull(client, "client");
        clientClosed.whenComplete((v, e) -> close());
    }

    /** See {@link RelaisClient#request(Message, Duration)}. */
    public CompletableFuture<Delivery> request(Message request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        CompletableFuture<Delivery> reply = new CompletableFuture<>();
        String correlationId = Long.toString(lastCorrelationId.incrementAndGet());
        inFlight.put(correlationId, reply);
        ScheduledFuture<?> timer = SharedTimer.schedule(
                () -> reply.completeExceptionally(new RequestTimeoutException(request.routingKey(), timeout)),
                timeout);
        reply.whenComplete((d, e) -> {
            inFlight.remove(correlationId);
            timer.cancel(false);
        });
        if (closed) { // after the put: either close() sees this request or this sees the flag
            reply.completeExceptionally(new RelaisException(null, "connection closed"));
            return reply;
        }
        inbox().thenCompose(replyTo -> client.publishConfirmed(withReplyTo(request, replyTo, correlationId)))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        reply.completeExceptionally(e instanceof CompletionException && e.getCause() != null
                                ? e.getCause() : e);
                    }
                });
        return reply;
    }

    /** Requests sent and not yet answered, timed out or failed; for tests and diagnostics. */
    int inFlight() {
        return inFlight.size();
    }

    private static Message withReplyTo(Message m, String replyTo, String correlationId) {
        return Message.builder(m.routingKey())
                .exchange(m.exchange())
                .payload(m.payload())
                .properties(m.properties().toBuilder().replyTo(replyTo).correlationId(correlationId).build())
                .persistent(m.persistent())
                .mandatory(true)
                .build();
    }

    /** The inbox's routing key once its subscription is active; a failed attempt is retried by the next call. */
    private CompletableFuture<String> inbox() {
        synchronized (inboxLock) {
            if (inbox == null || inbox.isCompletedExceptionally()) {
                String key = INBOX_PREFIX + client.connectionId();
                inbox = client.subscribe("", key, this::onReply).thenApply(subscription -> key);
            }
            return inbox;
        }
    }

    /** A delivery to the inbox; on the handler executor. */
    private void onReply(Delivery d) {
        String correlationId = d.properties().correlationId();
        CompletableFuture<Delivery> reply = correlationId == null ? null : inFlight.remove(correlationId);
        if (reply == null) {
            LOG.debug("reply with correlation id {} from '{}' dropped: no such request in flight (timed out?)",
                    correlationId, d.routingKey());
            return;
        }
        reply.complete(d);
    }

    /** The client has closed: fail every request in flight; later requests fail at once. */
    private void close() {
        closed = true;
        RelaisException e = new RelaisException(null, "connection closed");
        for (CompletableFuture<Delivery> reply : inFlight.values()) {
            reply.completeExceptionally(e);
        }
    }
}
