package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.relais.client.ConfirmListener;
import io.relais.client.ConnectionEvent;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.MessageHandler;
import io.relais.client.Publisher;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.RequestHandler;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.client.Users;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RelaisClient} applications get, whatever its options: the facade any thread calls. It checks
 * arguments, sends each call on the current connection (a {@link BrokerCall} for administrative requests),
 * records in the {@link DeclaredTopology} what the broker accepted, and leaves the connection's life to the
 * {@link ConnectionSupervisor} (connected, lost, reconnected when the option is on, closed). Request/reply is
 * layered on top by {@link Requester} and {@link Responder}, through this facade's public methods only.
 *
 * <p>Thread-safe; it holds no protocol state itself. It owns the client's I/O threads when the application
 * asked for its own ({@code ioThreads}), and shuts them down once the client is closed for good.
 */
public final class ClientFacade implements RelaisClient {
    private static final Logger LOG = LoggerFactory.getLogger(ClientFacade.class);

    private final ClientConfig config;
    private final ClientCallbacks callbacks;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final DeclaredTopology topology = new DeclaredTopology();
    private final ConnectionSupervisor supervisor;
    private final Requester requester;
    private final Responder responder;
    private final Users users = new ClientUsers(this);

    private ClientFacade(ClientConfig config) {
        this.config = config;
        this.callbacks = new ClientCallbacks(config.handlerExecutor());
        if (config.eventLoopGroup() != null) {
            this.group = config.eventLoopGroup();
            this.ownsGroup = false;
        } else if (config.ioThreads() > 0) {
            this.group = SharedEventLoops.create(config.ioThreads(), SharedEventLoops.OWN_THREAD_PREFIX);
            this.ownsGroup = true;
        } else {
            this.group = SharedEventLoops.group();
            this.ownsGroup = false;
        }
        this.supervisor = new ConnectionSupervisor(config, group, callbacks, topology);
        this.requester = new Requester(this, supervisor.closedFuture());
        this.responder = new Responder(this);
        supervisor.closedFuture().whenComplete((v, e) -> releaseThreads());
    }

    /** Opens the first connection; fails (it is never retried) as the builder's {@code connectAsync} says. */
    public static CompletableFuture<ClientFacade> connect(ClientConfig config) {
        ClientFacade client = new ClientFacade(config);
        return Connection.open(config, client.group, client.callbacks).handle((conn, error) -> {
            if (error != null) {
                client.releaseThreads();
                throw error instanceof RuntimeException r ? r : new RelaisException(null, error.toString(), error);
            }
            client.supervisor.adopt(conn);
            return client;
        });
    }

    /** {@link #connect(ClientConfig)} and wait, at most the connect timeout. */
    public static ClientFacade connectBlocking(ClientConfig config) {
        ClientFacade client = new ClientFacade(config);
        Connection conn;
        try {
            conn = Connection.openBlocking(config, client.group, client.callbacks);
        } catch (RuntimeException e) {
            client.releaseThreads();
            throw e;
        }
        client.supervisor.adopt(conn);
        return client;
    }

    /** Stops the threads this client owns (its handler thread, its own I/O threads); never shared ones. */
    private void releaseThreads() {
        callbacks.shutdown();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /** The connection in use now; for tests and diagnostics. */
    Connection currentConnection() {
        return supervisor.current();
    }

    /** The event loop group this client's connections run on; for tests and diagnostics. */
    EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** Sends one request on the current connection. */
    <T> CompletableFuture<T> call(BrokerCall<T> call) {
        try {
            return supervisor.connection().request(call);
        } catch (RelaisException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---------------------------------------------------------------- RelaisClient

    @Override
    public Users users() {
        return users;
    }

    @Override
    public String connectionId() {
        Connection c = supervisor.current();
        return c == null ? null : c.connectionId();
    }

    @Override
    public CompletableFuture<Void> declareExchange(String name, ExchangeType type, boolean durable,
            boolean autoDelete) {
        return call(BrokerCall.declareExchange(name, type, durable, autoDelete))
                .thenRun(() -> topology.exchangeDeclared(name, type, durable, autoDelete));
    }

    @Override
    public CompletableFuture<Void> deleteExchange(String name, boolean ifUnused) {
        return call(BrokerCall.deleteExchange(name, ifUnused)).thenRun(() -> topology.exchangeDeleted(name));
    }

    @Override
    public CompletableFuture<DeclaredQueue> declareQueue(QueueDeclaration declaration) {
        return call(BrokerCall.declareQueue(declaration)).thenApply(q -> {
            topology.queueDeclared(q.name(), declaration);
            return q;
        });
    }

    @Override
    public CompletableFuture<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        return call(BrokerCall.deleteQueue(name, ifUnused, ifEmpty)).thenApply(n -> {
            topology.queueDeleted(name);
            return n;
        });
    }

    @Override
    public CompletableFuture<Long> purgeQueue(String name) {
        return call(BrokerCall.purgeQueue(name));
    }

    @Override
    public CompletableFuture<Void> bind(String queue, String exchange, String pattern) {
        return call(BrokerCall.bind(queue, exchange, pattern)).thenRun(() -> topology.bound(queue, exchange, pattern));
    }

    @Override
    public CompletableFuture<Void> unbind(String queue, String exchange, String pattern) {
        return call(BrokerCall.unbind(queue, exchange, pattern))
                .thenRun(() -> topology.unbound(queue, exchange, pattern));
    }

    @Override
    public CompletableFuture<List<ExchangeInfo>> listExchanges() {
        return call(BrokerCall.listExchanges());
    }

    @Override
    public CompletableFuture<List<QueueInfo>> listQueues() {
        return call(BrokerCall.listQueues());
    }

    @Override
    public CompletableFuture<Void> publish(Message message) {
        return supervisor.publish(Objects.requireNonNull(message, "message"), false);
    }

    @Override
    public CompletableFuture<Void> publishConfirmed(Message message) {
        return supervisor.publish(Objects.requireNonNull(message, "message"), true);
    }

    @Override
    public void publishAndForget(Message message) {
        RelaisException refused = supervisor.publish(new OutgoingPublish(Objects.requireNonNull(message, "message")));
        if (refused != null) {
            throw refused;
        }
    }

    @Override
    public Publisher publisher(ConfirmListener listener) {
        return new ClientPublisher(supervisor, listener);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String exchange, String pattern, SubscribeOptions options,
            MessageHandler handler) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
        return track(new RecoverableSubscription(topology, this::isOpen, null, exchange, pattern, options, handler));
    }

    @Override
    public CompletableFuture<Subscription> subscribeQueue(String queue, SubscribeOptions options,
            MessageHandler handler) {
        Objects.requireNonNull(queue, "queue");
        if (queue.isEmpty()) {
            throw new IllegalArgumentException("queue name is empty");
        }
        return track(new RecoverableSubscription(topology, this::isOpen, queue, "", "", options, handler));
    }

    private CompletableFuture<Subscription> track(RecoverableSubscription sub) {
        Connection c;
        try {
            c = supervisor.connection();
        } catch (RelaisException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sub.resubscribe(c).thenApply(v -> {
            topology.subscribed(sub);
            return sub;
        });
    }

    @Override
    public CompletableFuture<Delivery> request(Message request, Duration timeout) {
        return requester.request(request, timeout);
    }

    @Override
    public CompletableFuture<Subscription> reply(String pattern, RequestHandler handler) {
        return responder.serve(pattern, handler);
    }

    @Override
    public void onError(Consumer<RelaisException> listener) {
        callbacks.addErrorListener(listener);
    }

    @Override
    public void onConnectionEvent(Consumer<ConnectionEvent> listener) {
        callbacks.addEventListener(listener);
    }

    @Override
    public boolean isOpen() {
        return supervisor.isOpen();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return supervisor.closeAsync();
    }

    /** Waits for the close unless called where waiting would deadlock (the event loop, the owned handler thread). */
    @Override
    public void close() {
        CompletableFuture<Void> f = closeAsync();
        Connection conn = supervisor.current();
        boolean onLoop = conn != null && conn.inEventLoop();
        if (!onLoop && !callbacks.onOwnedThread()) {
            try {
                f.get(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("close did not complete cleanly: {}", e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "RelaisClient[" + config.address() + ", id=" + connectionId() + ", open=" + isOpen()
                + (supervisor.isReconnecting() ? ", reconnecting" : "") + "]";
    }
}
