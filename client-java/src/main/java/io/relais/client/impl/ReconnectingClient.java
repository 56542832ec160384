package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.relais.client.ConnectionEvent;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.DisconnectedPublishes;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.MessageHandler;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.RequestHandler;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client applications get: one {@link ClientConnection} at a time, replaced by a new one when it is
 * lost, following the {@link io.relais.client.ReconnectPolicy}.
 *
 * <p>It records what the application declared (exchanges, queues, bindings) and its subscriptions. After a
 * reconnect it declares them again in that order (idempotent for those that survived on the broker, such as
 * durable ones; server-named queues get a new name, and the bindings and subscriptions that used the old
 * name follow it), then subscribes again with the same handlers, then sends the publishes it buffered.
 *
 * <p>Publishes that were waiting for a confirm when the connection was lost are <b>not</b> sent again:
 * their futures fail, since the broker may or may not have stored them (the application decides whether
 * to publish again, accepting a possible duplicate). Deliveries received on the lost connection can no
 * longer be acknowledged; the broker delivers them again, flagged redelivered.
 *
 * <p>Thread-safe. Publishing while connected reads two volatile fields and takes no lock; state changes
 * (connection lost, reconnected, closed), the records and the publish buffer are guarded by {@link #lock}.
 * Reconnect attempts are scheduled on the client's Netty event loop group; events and handlers run on the
 * handler executor, shared by all the connections of this client so that ordering holds across them.
 */
public final class ReconnectingClient implements RelaisClient {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingClient.class);
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private record ExchangeRecord(String name, ExchangeType type, boolean durable, boolean autoDelete) {
    }

    private record BindingRecord(String queue, String exchange, String pattern) {
    }

    private record BufferedPublish(Message message, boolean confirmed, CompletableFuture<Void> future) {
    }

    private final ClientConfig config;
    private final Executor handlerExecutor;
    private final ExecutorService ownedExecutor;
    private final EventLoopGroup group;
    private final Object lock = new Object();
    private final ListenerList<RelaisException> errorListeners = new ListenerList<>();
    private final ListenerList<ConnectionEvent> eventListeners = new ListenerList<>();
    private final Map<String, ExchangeRecord> exchanges = new LinkedHashMap<>();
    private final Map<String, QueueDeclaration> queues = new LinkedHashMap<>();
    private final Set<BindingRecord> bindings = new LinkedHashSet<>();
    private final Set<RecoverableSubscription> subscriptions = new LinkedHashSet<>();
    private final ArrayDeque<BufferedPublish> buffer = new ArrayDeque<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private final Requester requester = new Requester(this, closedFuture);
    private final Responder responder = new Responder(this);

    /** False when the policy never reconnects: a lost connection then fails publishes at once. */
    private final boolean reconnects;
    private volatile ClientConnection current;
    private volatile boolean reconnecting;
    private boolean closed;
    /** The application asked to close: nothing more is buffered for a reconnect. */
    private boolean closing;

    private ReconnectingClient(ClientConfig config) {
        if (config.handlerExecutor() != null) {
            this.handlerExecutor = config.handlerExecutor();
            this.ownedExecutor = null;
        } else {
            ExecutorService executor = ClientConnection.handlerThread("relais-handler-r" + NUMBERS.incrementAndGet());
            this.handlerExecutor = executor;
            this.ownedExecutor = executor;
        }
        this.config = config.withHandlerExecutor(handlerExecutor);
        this.group = config.eventLoopGroup() != null ? config.eventLoopGroup() : SharedEventLoops.group();
        this.reconnects = config.reconnect().delayBeforeAttempt(1) != null;
    }

    /** Opens the first connection; fails (without retrying) as {@link ClientConnection#connect} does. */
    public static CompletableFuture<ReconnectingClient> connect(ClientConfig config) {
        ReconnectingClient client = new ReconnectingClient(config);
        return ClientConnection.connect(client.config).handle((conn, error) -> {
            if (error != null) {
                client.shutdownExecutor();
                throw error instanceof RuntimeException r ? r : new RelaisException(null, error.toString(), error);
            }
            client.adopt(conn);
            client.fire(ConnectionEvent.Type.CONNECTED, conn.connectionId(), null, 0);
            return client;
        });
    }

    /** {@link #connect(ClientConfig)} and wait, at most the connect timeout. */
    public static ReconnectingClient connectBlocking(ClientConfig config) {
        ReconnectingClient client = new ReconnectingClient(config);
        ClientConnection conn;
        try {
            conn = ClientConnection.connectBlocking(client.config);
        } catch (RuntimeException e) {
            client.shutdownExecutor();
            throw e;
        }
        client.adopt(conn);
        client.fire(ConnectionEvent.Type.CONNECTED, conn.connectionId(), null, 0);
        return client;
    }

    /** Makes {@code conn} the current connection and watches for its end. */
    private void adopt(ClientConnection conn) {
        current = conn;
        watch(conn);
    }

    private void watch(ClientConnection conn) {
        RelaisException[] lastError = new RelaisException[1];
        conn.onError(e -> {
            lastError[0] = e;
            forwardError(e);
        });
        conn.terminationFuture().thenRun(() -> connectionLost(conn, lastError[0]));
    }

    private void forwardError(RelaisException e) {
        if (errorListeners.isEmpty()) {
            LOG.warn("{}", e.toString());
        } else {
            errorListeners.notifyNow(e);
        }
    }

    // ---------------------------------------------------------------- losing and regaining the connection

    private void connectionLost(ClientConnection conn, RelaisException error) {
        synchronized (lock) {
            if (closed || conn != current) {
                return;
            }
            reconnecting = true;
        }
        RelaisException cause = new RelaisException(error == null ? null : error.code(), "connection "
                + conn.connectionId() + " to " + config.address() + " lost" + (error == null ? "" : ": "
                + error.getMessage()), error);
        LOG.info("{}; reconnecting", cause.getMessage());
        fire(ConnectionEvent.Type.DISCONNECTED, conn.connectionId(), cause, 0);
        scheduleAttempt(1, cause);
    }

    private void scheduleAttempt(int attempt, RelaisException cause) {
        Duration delay = config.reconnect().delayBeforeAttempt(attempt);
        if (delay == null) {
            RelaisException end = new RelaisException(cause.code(), attempt == 1 ? cause.getMessage()
                    + " (reconnection is disabled)" : "gave up reconnecting to " + config.address() + " after "
                    + (attempt - 1) + " attempts", cause);
            closeForGood(end);
            return;
        }
        try {
            group.next().schedule(() -> attempt(attempt, cause), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            closeForGood(new RelaisException(null, "cannot reconnect: the client's event loops have shut down", e));
        }
    }

    private void attempt(int attempt, RelaisException cause) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        ClientConnection.connect(config).whenComplete((conn, error) -> {
            if (error != null) {
                LOG.debug("reconnect attempt {} to {} failed: {}", attempt, config.address(), error.toString());
                scheduleAttempt(attempt + 1, cause);
                return;
            }
            watch(conn);
            recover(conn).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.warn("reconnected to {} but could not declare again what this client declared: {}",
                            config.address(), failure.toString());
                    conn.closeAsync();
                    scheduleAttempt(attempt + 1, cause);
                    return;
                }
                resumed(conn, attempt);
            });
        });
    }

    /** Declares again, in order, every exchange, queue and binding this client declared. */
    private CompletableFuture<Void> recover(ClientConnection conn) {
        List<ExchangeRecord> exs;
        List<Map.Entry<String, QueueDeclaration>> qs;
        synchronized (lock) {
            exs = List.copyOf(exchanges.values());
            qs = List.copyOf(queues.entrySet());
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ExchangeRecord e : exs) {
            chain = chain.thenCompose(v -> conn.declareExchange(e.name(), e.type(), e.durable(), e.autoDelete()));
        }
        for (Map.Entry<String, QueueDeclaration> q : qs) {
            chain = chain.thenCompose(v -> conn.declareQueue(q.getValue())).thenAccept(declared ->
                    renamed(q.getKey(), declared.name()));
        }
        return chain.thenCompose(v -> {
            List<BindingRecord> bs;
            synchronized (lock) {
                bs = List.copyOf(bindings);
            }
            CompletableFuture<Void> binds = CompletableFuture.completedFuture(null);
            for (BindingRecord b : bs) {
                binds = binds.thenCompose(x -> conn.bind(b.queue(), b.exchange(), b.pattern()));
            }
            return binds;
        });
    }

    /** A server-named queue came back with another name: follow it in the records. */
    private void renamed(String oldName, String newName) {
        if (oldName.equals(newName)) {
            return;
        }
        synchronized (lock) {
            QueueDeclaration d = queues.remove(oldName);
            if (d != null) {
                queues.put(newName, d);
            }
            List<BindingRecord> moved = new ArrayList<>();
            bindings.removeIf(b -> {
                if (b.queue().equals(oldName)) {
                    moved.add(new BindingRecord(newName, b.exchange(), b.pattern()));
                    return true;
                }
                return false;
            });
            bindings.addAll(moved);
            for (RecoverableSubscription s : subscriptions) {
                s.queueRenamed(oldName, newName);
            }
        }
        LOG.info("server-named queue '{}' is now '{}'", oldName, newName);
    }

    private void resumed(ClientConnection conn, int attempt) {
        fire(ConnectionEvent.Type.RECONNECTED, conn.connectionId(), null, attempt);
        List<RecoverableSubscription> subs;
        synchronized (lock) {
            subs = List.copyOf(subscriptions);
        }
        CompletableFuture<?>[] resubscribed = new CompletableFuture<?>[subs.size()];
        for (int i = 0; i < subs.size(); i++) {
            resubscribed[i] = subs.get(i).resubscribe(conn);
        }
        CompletableFuture.allOf(resubscribed).whenComplete((v, failure) -> {
            if (failure != null) {
                LOG.warn("reconnected to {} but a subscription could not be made again ({}); trying a new "
                        + "connection", config.address(), failure.toString());
                conn.closeAsync();
                scheduleAttempt(attempt + 1, new RelaisException(null, "resubscribe failed: " + failure, failure));
                return;
            }
            // Off the event loop: sending the buffer may wait for room in the socket.
            try {
                handlerExecutor.execute(() -> flushAndResume(conn, attempt));
            } catch (RejectedExecutionException e) {
                flushAndResume(conn, attempt);
            }
        });
    }

    /** Sends the publishes buffered while disconnected, in order, then makes {@code conn} current. */
    private void flushAndResume(ClientConnection conn, int attempt) {
        synchronized (lock) {
            if (closed) {
                conn.closeAsync();
                return;
            }
            BufferedPublish b;
            while ((b = buffer.poll()) != null) {
                CompletableFuture<Void> sent = b.confirmed() ? conn.publishConfirmed(b.message())
                        : conn.publish(b.message());
                CompletableFuture<Void> target = b.future();
                sent.whenComplete((x, e) -> {
                    if (e != null) {
                        target.completeExceptionally(e);
                    } else {
                        target.complete(null);
                    }
                });
            }
            current = conn;
            reconnecting = false;
        }
        LOG.info("reconnected to {} (connection {}, attempt {})", config.address(), conn.connectionId(), attempt);
        fire(ConnectionEvent.Type.RESUBSCRIBED, conn.connectionId(), null, 0);
    }

    private void closeForGood(RelaisException cause) {
        List<BufferedPublish> dropped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            reconnecting = false;
            dropped = List.copyOf(buffer);
            buffer.clear();
        }
        for (BufferedPublish b : dropped) {
            b.future().completeExceptionally(new RelaisException(null, cause == null ? "connection closed"
                    : "client closed before it could reconnect", cause));
        }
        if (cause != null) {
            LOG.warn("{}", cause.getMessage());
            forwardErrorOnExecutor(cause);
        }
        ClientConnection conn = current;
        fire(ConnectionEvent.Type.CLOSED, conn == null ? null : conn.connectionId(), cause, 0);
        try {
            handlerExecutor.execute(() -> closedFuture.complete(null));
        } catch (RejectedExecutionException e) {
            closedFuture.complete(null);
        }
        shutdownExecutor();
    }

    private void forwardErrorOnExecutor(RelaisException e) {
        try {
            handlerExecutor.execute(() -> forwardError(e));
        } catch (RejectedExecutionException rejected) {
            LOG.debug("error listeners not run: executor shut down");
        }
    }

    private void fire(ConnectionEvent.Type type, String connectionId, RelaisException cause, int attempt) {
        ConnectionEvent event = new ConnectionEvent(type, connectionId, cause, attempt);
        if (!eventListeners.notifyOn(handlerExecutor, event)) {
            LOG.debug("connection event {} not delivered: executor shut down", event);
        }
    }

    private void shutdownExecutor() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    /** The connection in use now; for tests and diagnostics. */
    ClientConnection currentConnection() {
        return current;
    }

    // ---------------------------------------------------------------- RelaisClient

    /** The current connection, or a failure saying why there is none. */
    private ClientConnection connection() {
        ClientConnection c = current;
        if (reconnecting) {
            throw new RelaisException(null, "not connected: reconnecting to " + config.address());
        }
        synchronized (lock) {
            if (closed) {
                throw new RelaisException(null, "connection closed");
            }
        }
        return c;
    }

    private <T> CompletableFuture<T> withConnection(java.util.function.Function<ClientConnection,
            CompletableFuture<T>> call) {
        try {
            return call.apply(connection());
        } catch (RelaisException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String connectionId() {
        return current.connectionId();
    }

    @Override
    public CompletableFuture<Void> declareExchange(String name, ExchangeType type, boolean durable,
                                                   boolean autoDelete) {
        return withConnection(c -> c.declareExchange(name, type, durable, autoDelete).thenRun(() -> {
            synchronized (lock) {
                exchanges.put(name, new ExchangeRecord(name, type, durable, autoDelete));
            }
        }));
    }

    @Override
    public CompletableFuture<Void> deleteExchange(String name, boolean ifUnused) {
        return withConnection(c -> c.deleteExchange(name, ifUnused).thenRun(() -> {
            synchronized (lock) {
                exchanges.remove(name);
                bindings.removeIf(b -> b.exchange().equals(name));
            }
        }));
    }

    @Override
    public CompletableFuture<DeclaredQueue> declareQueue(QueueDeclaration declaration) {
        return withConnection(c -> c.declareQueue(declaration).thenApply(q -> {
            if (!declaration.passive()) {
                synchronized (lock) {
                    queues.put(q.name(), declaration);
                }
            }
            return q;
        }));
    }

    @Override
    public CompletableFuture<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        return withConnection(c -> c.deleteQueue(name, ifUnused, ifEmpty).thenApply(n -> {
            synchronized (lock) {
                queues.remove(name);
                bindings.removeIf(b -> b.queue().equals(name));
            }
            return n;
        }));
    }

    @Override
    public CompletableFuture<Long> purgeQueue(String name) {
        return withConnection(c -> c.purgeQueue(name));
    }

    @Override
    public CompletableFuture<Void> bind(String queue, String exchange, String pattern) {
        return withConnection(c -> c.bind(queue, exchange, pattern).thenRun(() -> {
            synchronized (lock) {
                bindings.add(new BindingRecord(queue, exchange, pattern));
            }
        }));
    }

    @Override
    public CompletableFuture<Void> unbind(String queue, String exchange, String pattern) {
        return withConnection(c -> c.unbind(queue, exchange, pattern).thenRun(() -> {
            synchronized (lock) {
                bindings.remove(new BindingRecord(queue, exchange, pattern));
            }
        }));
    }

    @Override
    public CompletableFuture<List<ExchangeInfo>> listExchanges() {
        return withConnection(ClientConnection::listExchanges);
    }

    @Override
    public CompletableFuture<List<QueueInfo>> listQueues() {
        return withConnection(ClientConnection::listQueues);
    }

    @Override
    public CompletableFuture<Void> publish(Message message) {
        return publish(message, false);
    }

    @Override
    public CompletableFuture<Void> publishConfirmed(Message message) {
        return publish(message, true);
    }

    private CompletableFuture<Void> publish(Message message, boolean confirmed) {
        Objects.requireNonNull(message, "message");
        if (!reconnecting) {
            ClientConnection c = current;
            if (c != null && c.isOpen()) {
                return confirmed ? c.publishConfirmed(message) : c.publish(message);
            }
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        ClientConnection now = null;
        synchronized (lock) {
            if (closed || closing || (!reconnecting && !current.isOpen() && !reconnects)) {
                f.completeExceptionally(new RelaisException(null, "connection closed"));
            } else if (!reconnecting && current.isOpen()) {
                now = current;
            } else if (config.disconnectedPublishes() == DisconnectedPublishes.FAIL) {
                f.completeExceptionally(new RelaisException(null, "not connected: reconnecting to "
                        + config.address()));
            } else if (buffer.size() >= config.disconnectedBufferSize()) {
                f.completeExceptionally(new RelaisException(null, "not connected, and "
                        + config.disconnectedBufferSize() + " publishes already wait for the reconnect"));
            } else {
                buffer.add(new BufferedPublish(message, confirmed, f));
            }
        }
        if (now != null) {
            return confirmed ? now.publishConfirmed(message) : now.publish(message);
        }
        return f;
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String exchange, String pattern, SubscribeOptions options,
                                                     MessageHandler handler) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
        return track(new RecoverableSubscription(null, exchange, pattern, options, handler));
    }

    @Override
    public CompletableFuture<Subscription> subscribeQueue(String queue, SubscribeOptions options,
                                                          MessageHandler handler) {
        Objects.requireNonNull(queue, "queue");
        if (queue.isEmpty()) {
            throw new IllegalArgumentException("queue name is empty");
        }
        return track(new RecoverableSubscription(queue, "", "", options, handler));
    }

    private CompletableFuture<Subscription> track(RecoverableSubscription sub) {
        return withConnection(c -> sub.resubscribe(c).thenApply(v -> {
            synchronized (lock) {
                subscriptions.add(sub);
            }
            return sub;
        }));
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
        errorListeners.add(listener);
    }

    @Override
    public void onConnectionEvent(Consumer<ConnectionEvent> listener) {
        eventListeners.add(listener);
    }

    @Override
    public boolean isOpen() {
        ClientConnection c = current;
        return !reconnecting && c != null && c.isOpen();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        ClientConnection conn;
        synchronized (lock) {
            closing = true;
            if (closed) {
                return closedFuture;
            }
            conn = current;
        }
        CompletableFuture<Void> connClosed = conn == null ? CompletableFuture.completedFuture(null)
                : conn.closeAsync();
        connClosed.whenComplete((v, e) -> closeForGood(null));
        synchronized (lock) {
            // Stop reconnect attempts at once; closeForGood finishes the rest.
            if (reconnecting) {
                closeForGood(null);
            }
        }
        return closedFuture;
    }

    @Override
    public void close() {
        CompletableFuture<Void> f = closeAsync();
        ClientConnection conn = current;
        boolean onLoop = conn != null && conn.channel() != null && conn.channel().eventLoop().inEventLoop();
        if (!onLoop && !onHandlerThread()) {
            try {
                f.get(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("close did not complete cleanly: {}", e.toString());
            }
        }
    }

    private boolean onHandlerThread() {
        return ownedExecutor != null && Thread.currentThread().getName().startsWith("relais-handler-r");
    }

    @Override
    public String toString() {
        return "RelaisClient[" + config.address() + ", id=" + (current == null ? null : current.connectionId())
                + ", open=" + isOpen() + (reconnecting ? ", reconnecting" : "") + "]";
    }

    // ---------------------------------------------------------------- subscriptions that survive reconnects

    /**
     * A subscription as the application sees it: stable across reconnects, backed by the subscription of the
     * current connection. Thread-safe: the delegate and the queue name are volatile.
     */
    private final class RecoverableSubscription implements Subscription {
        private volatile String queue;
        private final String exchange;
        private final String pattern;
        private final SubscribeOptions options;
        private final MessageHandler handler;
        private volatile Subscription delegate;
        private volatile CompletableFuture<Void> cancelled;

        RecoverableSubscription(String queue, String exchange, String pattern, SubscribeOptions options,
                                MessageHandler handler) {
            this.queue = queue;
            this.exchange = exchange;
            this.pattern = pattern;
            this.options = Objects.requireNonNull(options, "options");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        CompletableFuture<Void> resubscribe(ClientConnection conn) {
            CompletableFuture<Subscription> f = queue == null ? conn.subscribe(exchange, pattern, options, handler)
                    : conn.subscribeQueue(queue, options, handler);
            return f.thenAccept(s -> {
                synchronized (this) {
                    delegate = s;
                    if (cancelled != null) {
                        s.cancel(); // cancelled while it was being made again
                    }
                }
            });
        }

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
        public synchronized CompletableFuture<Void> cancel() {
            if (cancelled == null) {
                synchronized (lock) {
                    subscriptions.remove(this);
                }
                cancelled = isOpen() ? delegate.cancel() : CompletableFuture.completedFuture(null);
            }
            return cancelled;
        }

        @Override
        public String toString() {
            return "Subscription[" + (queue == null ? "'" + exchange + "' with '" + pattern + "'" : "queue '"
                    + queue + "'") + " via " + delegate + "]";
        }
    }
}
