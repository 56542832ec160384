package io.relais.client;

import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The blocking form of a {@link RelaisClient}: every method waits for the broker's answer, at most the
 * timeout given to {@link RelaisClient#blocking(Duration)}, and throws {@link RelaisException} when the broker
 * refuses, the connection fails or the time runs out. Obtain one with {@code client.blocking(timeout)}; it
 * shares the client's connection, reconnection and handlers.
 *
 * <p>Thread-safe, like the client. Do not call it from a message handler of the same client with a
 * handler executor of one thread when the answer needs that thread; the default executor does not.
 */
public final class BlockingClient {
    private final RelaisClient client;
    private final Duration timeout;

    BlockingClient(RelaisClient client, Duration timeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** The asynchronous client this one waits on. */
    public RelaisClient async() {
        return client;
    }

    public void declareExchange(String name, ExchangeType type, boolean durable, boolean autoDelete) {
        await(client.declareExchange(name, type, durable, autoDelete), "declaring exchange '" + name + "'");
    }

    public void deleteExchange(String name, boolean ifUnused) {
        await(client.deleteExchange(name, ifUnused), "deleting exchange '" + name + "'");
    }

    public DeclaredQueue declareQueue(QueueDeclaration declaration) {
        return await(client.declareQueue(declaration), "declaring queue '" + declaration.name() + "'");
    }

    /** @return the number of messages deleted with the queue */
    public long deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        return await(client.deleteQueue(name, ifUnused, ifEmpty), "deleting queue '" + name + "'");
    }

    /** @return the number of messages purged */
    public long purgeQueue(String name) {
        return await(client.purgeQueue(name), "purging queue '" + name + "'");
    }

    public void bind(String queue, String exchange, String pattern) {
        await(client.bind(queue, exchange, pattern), "binding queue '" + queue + "'");
    }

    public void unbind(String queue, String exchange, String pattern) {
        await(client.unbind(queue, exchange, pattern), "unbinding queue '" + queue + "'");
    }

    public List<ExchangeInfo> listExchanges() {
        return await(client.listExchanges(), "listing exchanges");
    }

    public List<QueueInfo> listQueues() {
        return await(client.listQueues(), "listing queues");
    }

    /** Publishes without confirm; returns once the message is written to the socket. */
    public void publish(Message message) {
        await(client.publish(message), "publishing to '" + message.routingKey() + "'");
    }

    /** Publishes and returns once the broker confirmed it; throws if it refused it or did not answer in time. */
    public void publishConfirmed(Message message) {
        await(client.publishConfirmed(message), "waiting for the confirm of a message to '" + message.routingKey()
                + "'");
    }

    public Subscription subscribe(String exchange, String pattern, MessageHandler handler) {
        return await(client.subscribe(exchange, pattern, handler), "subscribing to '" + pattern + "'");
    }

    public Subscription subscribe(String exchange, String pattern, SubscribeOptions options, MessageHandler handler) {
        return await(client.subscribe(exchange, pattern, options, handler), "subscribing to '" + pattern + "'");
    }

    public Subscription subscribeQueue(String queue, SubscribeOptions options, MessageHandler handler) {
        return await(client.subscribeQueue(queue, options, handler), "subscribing to queue '" + queue + "'");
    }

    /**
     * Sends a request and returns its reply; waits at most {@code timeout} (the request's own deadline),
     * throwing {@link RequestTimeoutException}, or {@link NoRouteException} at once when no responder listens.
     */
    public Delivery request(String routingKey, byte[] payload, Duration timeout) {
        return new BlockingClient(client, timeout.plus(this.timeout)).await(client.request(routingKey, payload, timeout),
                "waiting for the reply to '" + routingKey + "'");
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RelaisException r ? r : new RelaisException(null, what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new RelaisException(null, "timed out after " + timeout.toMillis() + " ms " + what);
        } catch (CancellationException e) {
            throw new RelaisException(null, what + " was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelaisException(null, "interrupted while " + what, e);
        }
    }
}
