package io.relais.client.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.relais.client.Backpressure;
import io.relais.client.ConnectionEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.MessageHandler;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.RequestHandler;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RelaisClient} implementation: the facade that any thread calls. It validates arguments,
 * takes a permit for confirmed publishes, and hops onto the channel's event loop, where
 * {@link ClientHandler} owns all protocol state. It also owns what is shared with the application's
 * threads: the handler executor, the error listeners and the open/closed flags.
 *
 * <p>Thread-safe.
 */
public final class ClientConnection implements RelaisClient {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final AtomicInteger CLIENT_NUMBERS = new AtomicInteger();

    /** Room left in a frame for everything but the payload when checking a publish against the limit. */
    static final int PUBLISH_OVERHEAD_ALLOWANCE = 1024;

    private final ClientConfig config;
    private final Executor handlerExecutor;
    private final ExecutorService ownedExecutor;
    private final String handlerThreadPrefix;
    private final DeliveryDispatcher dispatcher;
    private final Semaphore unconfirmedPermits;
    private final ListenerList<RelaisException> errorListeners = new ListenerList<>();
    private final ListenerList<ConnectionEvent> eventListeners = new ListenerList<>();
    private final Object writability = new Object();
    private final java.util.Queue<LoopTask> mailbox = io.netty.util.internal.PlatformDependent.newMpscQueue();
    private final AtomicBoolean mailboxScheduled = new AtomicBoolean();
    private final Runnable drainMailbox = this::drainMailbox;
    /** Payload bytes of publishes handed to the event loop and not yet written into the channel. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong lastSid = new AtomicLong();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean terminated = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CompletableFuture<ClientConnection> connected = new CompletableFuture<>();
    private final Requester requester = new Requester(this, closed);
    private final Responder responder = new Responder(this);

    private volatile Channel channel;
    private volatile ClientHandler handler;
    private volatile String connectionId;
    private volatile int maxFrameSize = ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE;
    private volatile boolean open;

    private ClientConnection(ClientConfig config) {
        this.config = config;
        if (config.handlerExecutor() != null) {
            this.handlerExecutor = config.handlerExecutor();
            this.ownedExecutor = null;
            this.handlerThreadPrefix = null;
        } else {
            handlerThreadPrefix = "relais-handler-" + CLIENT_NUMBERS.incrementAndGet();
            ExecutorService executor = handlerThread(handlerThreadPrefix);
            this.handlerExecutor = executor;
            this.ownedExecutor = executor;
        }
        this.dispatcher = new DeliveryDispatcher(handlerExecutor, config.maxPendingDeliveries());
        this.unconfirmedPermits = new Semaphore(config.maxUnconfirmed());
    }

    // ---------------------------------------------------------------- connecting

    /** One daemon thread running handler tasks in order: the default handler executor of a client. */
    static ExecutorService handlerThread(String namePrefix) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(namePrefix, true));
    }

    /** Opens a connection; the future fails with {@link RelaisException}. */
    public static CompletableFuture<ClientConnection> connect(ClientConfig config) {
        return new ClientConnection(config).start();
    }

    /** Opens a connection and waits for it, at most the connect timeout. */
    public static ClientConnection connectBlocking(ClientConfig config) {
        CompletableFuture<ClientConnection> f = connect(config);
        try {
            // The handshake timer fails the future at the deadline; the margin only guards against a stuck loop.
            return f.get(config.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RelaisException r ? r
                    : new RelaisException(null, "cannot connect to " + config.address() + ": " + cause, cause);
        } catch (TimeoutException e) {
            f.thenAccept(ClientConnection::close);
            throw new RelaisException(null, "timed out after " + format(config.connectTimeout()) + " connecting to "
                    + config.address());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(ClientConnection::close);
            throw new RelaisException(null, "interrupted while connecting to " + config.address(), e);
        }
    }

    private CompletableFuture<ClientConnection> start() {
        EventLoopGroup group = config.eventLoopGroup() != null ? config.eventLoopGroup() : SharedEventLoops.group();
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        ClientHandler h = new ClientHandler(this, config, dispatcher, connected, deadline);
        this.handler = h;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(SharedEventLoops.channelClass(group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(config.maxBufferedBytes() / 2,
                        config.maxBufferedBytes()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ClientPipeline.init(ch, h);
                    }
                });
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(config.host(), config.port());
        } catch (RuntimeException e) {
            terminated();
            connected.completeExceptionally(new RelaisException(null, "cannot connect to " + config.address() + ": "
                    + e.getMessage(), e));
            return connected;
        }
        this.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                connected.completeExceptionally(connectFailure(f.cause()));
                terminated();
            }
        });
        return connected;
    }

    private RelaisException connectFailure(Throwable cause) {
        String reason;
        if (cause instanceof ConnectTimeoutException) {
            reason = "timed out after " + format(config.connectTimeout());
        } else {
            String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            // Netty appends the address ("Connection refused: /127.0.0.1:7420") and epoll prefixes the call.
            m = m.replaceFirst("^(finishConnect|connect)\\(\\.\\.\\) failed: ", "").replaceFirst(": [^ ]*/[^ ]*$", "");
            reason = cause instanceof java.net.UnknownHostException ? "unknown host " + m : m;
        }
        return new RelaisException(null, "cannot connect to " + config.address() + ": " + reason, cause);
    }

    // ---------------------------------------------------------------- called by ClientHandler

    void opened(String connectionId, int maxFrameSize) {
        this.connectionId = connectionId;
        this.maxFrameSize = maxFrameSize;
        this.open = true;
    }

    void markNotOpen() {
        open = false;
    }

    /**
     * The connection is gone: complete the close future and stop the owned handler thread. The future
     * completes on the handler executor, after the tasks already queued there, so error listeners for
     * errors that arrived before the close (e.g. a refused fire-and-forget publish) have run when
     * {@link #closeAsync()} completes, given an executor that runs tasks in order (the default does).
     */
    void terminated() {
        open = false;
        writabilityChanged();
        if (terminated.compareAndSet(false, true)) {
            ConnectionEvent event = new ConnectionEvent(ConnectionEvent.Type.CLOSED, connectionId, null, 0);
            if (!eventListeners.notifyOn(handlerExecutor, event)) {
                LOG.debug("connection {}: closed-event listeners not run: executor shut down", connectionId);
            }
            try {
                handlerExecutor.execute(() -> closed.complete(null));
            } catch (RejectedExecutionException e) {
                closed.complete(null);
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
    }

    /** Completes when the connection has ended, for whatever reason; never fails. */
    CompletableFuture<Void> terminationFuture() {
        return closed;
    }

    /** The channel became writable or not (or closed): wake publishers waiting for room. Any thread. */
    void writabilityChanged() {
        synchronized (writability) {
            writability.notifyAll();
        }
    }

    /**
     * Waits (when the backpressure policy says block, and not on the event loop) until the socket takes more
     * bytes. @return null if there is room, or the failure for the publish
     */
    private RelaisException awaitRoom() {
        Channel ch = channel;
        if (hasRoom(ch) || !open) {
            return null;
        }
        if (config.backpressure() == io.relais.client.Backpressure.FAIL || ch.eventLoop().inEventLoop()) {
            return new RelaisException(null, "send buffer full: more than " + config.maxBufferedBytes()
                    + " bytes are waiting to be written to the broker");
        }
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        synchronized (writability) {
            while (!hasRoom(ch) && open) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new RelaisException(null, "timed out after " + format(config.requestTimeout())
                            + " waiting for room in the send buffer (the broker is not reading)");
                }
                try {
                    // Writability changes wake us; queued writes draining do not, hence the short slices.
                    TimeUnit.NANOSECONDS.timedWait(writability, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new RelaisException(null, "interrupted while waiting for room in the send buffer", e);
                }
            }
        }
        return null;
    }

    /**
     * Room for one more publish: what is in the channel plus what is on its way there stays under the
     * bound (each caller may add one message beyond it).
     */
    private boolean hasRoom(Channel ch) {
        return ch.isWritable() && queuedBytes.get() < ch.bytesBeforeUnwritable();
    }

    /** Hands a publish to the event loop, counting its bytes until they are in the channel. */
    private void sendPublish(Message message, CompletableFuture<Void> f, boolean confirmed) {
        int size = message.payload().length;
        queuedBytes.addAndGet(size);
        onEventLoop(() -> {
            queuedBytes.addAndGet(-size);
            handler.publish(message, f, confirmed);
        }, e -> {
            queuedBytes.addAndGet(-size);
            f.completeExceptionally(e);
        });
    }

    /** True on the thread of the handler executor this client owns. */
    private boolean onOwnedHandlerThread() {
        return ownedExecutor != null && Thread.currentThread().getName().startsWith(handlerThreadPrefix + "-");
    }

    /** Passes an asynchronous error to the listeners, on the handler executor. */
    void reportError(RelaisException error) {
        if (errorListeners.isEmpty()) {
            LOG.warn("connection {}: {}", connectionId, error.toString());
        } else if (!errorListeners.notifyOn(handlerExecutor, error)) {
            LOG.warn("connection {}: {} (handler executor refused the error listeners)", connectionId, error);
        }
    }

    /** ACK/NACK/REJECT from a delivery, any thread. */
    void sendSettlement(Frame frame) {
        onEventLoop(() -> handler.sendIfOpen(frame), e -> LOG.debug("{} not sent: {}", frame.type(), e.getMessage()));
    }

    CompletableFuture<Void> cancel(ActiveSubscription sub) {
        return request("CANCEL of subscription " + sub.sid(), id -> new Cancel(id, sub.sid()),
                PendingRequests.expect(Ok.class, ok -> {
                    handler.removeSubscription(sub);
                    return null;
                }), null);
    }

    /** Deliveries waiting for or running on the handler executor; for tests and diagnostics. */
    int pendingDeliveries() {
        return dispatcher.pending();
    }

    /** The channel; for tests and diagnostics. */
    Channel channel() {
        return channel;
    }

    // ---------------------------------------------------------------- RelaisClient

    @Override
    public String connectionId() {
        return connectionId;
    }

    @Override
    public CompletableFuture<Void> declareExchange(String name, ExchangeType type, boolean durable,
            boolean autoDelete) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        return request("EXCHANGE_DECLARE '" + name + "'",
                id -> new ExchangeDeclare(id, name, type.wireName(), durable, autoDelete, false, Map.of()),
                PendingRequests.expect(Ok.class, ok -> null), null);
    }

    @Override
    public CompletableFuture<Void> deleteExchange(String name, boolean ifUnused) {
        Objects.requireNonNull(name, "name");
        return request("EXCHANGE_DELETE '" + name + "'", id -> new ExchangeDelete(id, name, ifUnused),
                PendingRequests.expect(Ok.class, ok -> null), null);
    }

    @Override
    public CompletableFuture<DeclaredQueue> declareQueue(QueueDeclaration d) {
        Objects.requireNonNull(d, "declaration");
        return request("QUEUE_DECLARE '" + d.name() + "'",
                id -> new QueueDeclare(id, d.name(), d.durable(), d.exclusive(), d.autoDelete(), d.passive(),
                        d.arguments()),
                PendingRequests.expect(QueueDeclareOk.class,
                        ok -> new DeclaredQueue(ok.name(), ok.messageCount(), ok.consumerCount())), null);
    }

    @Override
    public CompletableFuture<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        Objects.requireNonNull(name, "name");
        return request("QUEUE_DELETE '" + name + "'", id -> new QueueDelete(id, name, ifUnused, ifEmpty),
                PendingRequests.expect(Ok.class, Ok::count), null);
    }

    @Override
    public CompletableFuture<Long> purgeQueue(String name) {
        Objects.requireNonNull(name, "name");
        return request("QUEUE_PURGE '" + name + "'", id -> new QueuePurge(id, name),
                PendingRequests.expect(Ok.class, Ok::count), null);
    }

    @Override
    public CompletableFuture<Void> bind(String queue, String exchange, String pattern) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
        return request("BIND '" + queue + "' to '" + exchange + "' with '" + pattern + "'",
                id -> new Bind(id, queue, exchange, pattern, Map.of()),
                PendingRequests.expect(Ok.class, ok -> null), null);
    }

    @Override
    public CompletableFuture<Void> unbind(String queue, String exchange, String pattern) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
        return request("UNBIND '" + queue + "' from '" + exchange + "' with '" + pattern + "'",
                id -> new Unbind(id, queue, exchange, pattern),
                PendingRequests.expect(Ok.class, ok -> null), null);
    }

    @Override
    public CompletableFuture<List<ExchangeInfo>> listExchanges() {
        return request("EXCHANGE_LIST", ExchangeList::new,
                PendingRequests.expect(ExchangeListOk.class, ExchangeListOk::exchanges), null);
    }

    @Override
    public CompletableFuture<List<QueueInfo>> listQueues() {
        return request("QUEUE_LIST", QueueList::new,
                PendingRequests.expect(QueueListOk.class, QueueListOk::queues), null);
    }

    @Override
    public CompletableFuture<Void> publish(Message message) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (checkPublishable(message, f)) {
            RelaisException full = awaitRoom();
            if (full != null) {
                f.completeExceptionally(full);
                return f;
            }
            sendPublish(message, f, false);
        }
        return f;
    }

    @Override
    public CompletableFuture<Void> publishConfirmed(Message message) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!checkPublishable(message, f)) {
            return f;
        }
        boolean acquired;
        if (channel.eventLoop().inEventLoop() || config.backpressure() == Backpressure.FAIL) {
            acquired = unconfirmedPermits.tryAcquire(); // never block the event loop
        } else {
            try {
                acquired = unconfirmedPermits.tryAcquire(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.completeExceptionally(new RelaisException(null, "interrupted while waiting for a confirm window", e));
                return f;
            }
        }
        if (!acquired) {
            f.completeExceptionally(new RelaisException(null, config.backpressure() == Backpressure.FAIL
                    ? config.maxUnconfirmed() + " publishes are waiting for their confirms (the limit)"
                    : "timed out after " + format(config.requestTimeout()) + " waiting for room among "
                    + config.maxUnconfirmed() + " unconfirmed publishes"));
            return f;
        }
        f.whenComplete((v, e) -> unconfirmedPermits.release());
        RelaisException full = awaitRoom();
        if (full != null) {
            f.completeExceptionally(full);
            return f;
        }
        sendPublish(message, f, true);
        return f;
    }

    private boolean checkPublishable(Message message, CompletableFuture<Void> f) {
        Objects.requireNonNull(message, "message");
        if (!open) {
            f.completeExceptionally(new RelaisException(null, "connection closed"));
            return false;
        }
        int limit = maxFrameSize - PUBLISH_OVERHEAD_ALLOWANCE;
        if (message.payload().length > limit) {
            f.completeExceptionally(new RelaisException(ErrorCode.FRAME_TOO_LARGE, "message of "
                    + message.payload().length + " bytes is larger than the broker accepts (" + limit + " bytes)"));
            return false;
        }
        return true;
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String exchange, String pattern, SubscribeOptions options,
            MessageHandler handler) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
        return subscribe("", exchange, pattern, options, handler);
    }

    @Override
    public CompletableFuture<Subscription> subscribeQueue(String queue, SubscribeOptions options,
            MessageHandler handler) {
        Objects.requireNonNull(queue, "queue");
        if (queue.isEmpty()) {
            throw new IllegalArgumentException("queue name is empty");
        }
        return subscribe(queue, "", "", options, handler);
    }

    private CompletableFuture<Subscription> subscribe(String queue, String exchange, String pattern,
            SubscribeOptions options, MessageHandler messageHandler) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(messageHandler, "handler");
        ActiveSubscription sub = new ActiveSubscription(this, lastSid.incrementAndGet(), messageHandler,
                options.manualAck());
        String description = queue.isEmpty()
                ? "SUBSCRIBE to '" + exchange + "' with '" + pattern + "'" : "SUBSCRIBE to queue '" + queue + "'";
        CompletableFuture<Subscription> f = new CompletableFuture<>();
        onEventLoop(() -> {
            handler.addSubscription(sub);
            handler.request(description,
                    id -> new Subscribe(id, sub.sid(), queue, exchange, pattern, options.prefetch(),
                            options.manualAck(), options.exclusive()),
                    PendingRequests.expect(SubscribeOk.class, ok -> {
                        sub.queue(ok.queue());
                        return sub;
                    }), f, () -> handler.removeSubscription(sub));
        }, f::completeExceptionally);
        return f;
    }

    @Override
    public void onError(Consumer<RelaisException> listener) {
        errorListeners.add(listener);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** This connection alone reports only CLOSED; the reconnecting client reports the rest. */
    @Override
    public void onConnectionEvent(Consumer<ConnectionEvent> listener) {
        eventListeners.add(listener);
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        if (closeRequested.compareAndSet(false, true)) {
            markNotOpen();
            Channel ch = channel;
            if (ch == null) {
                terminated();
            } else {
                onEventLoop(handler::closeGracefully, e -> {
                    ch.close();
                    terminated();
                });
            }
        }
        return closed;
    }

    @Override
    public void close() {
        CompletableFuture<Void> f = closeAsync();
        Channel ch = channel;
        if ((ch == null || !ch.eventLoop().inEventLoop()) && !onOwnedHandlerThread()) {
            f.join();
        }
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
    public String toString() {
        return "RelaisClient[" + config.address() + ", id=" + connectionId + ", open=" + open + "]";
    }

    // ---------------------------------------------------------------- helpers

    private <T> CompletableFuture<T> request(String description, LongFunction<Frame> build,
            Function<Frame, T> reader, Runnable onFailure) {
        CompletableFuture<T> f = new CompletableFuture<>();
        onEventLoop(() -> handler.request(description, build, reader, f, onFailure), f::completeExceptionally);
        return f;
    }

    /** A task for the event loop, with what to do if the loop has shut down. */
    private record LoopTask(Runnable task, Consumer<RelaisException> refused) {
    }

    /**
     * Runs a task on the event loop (directly when already there); reports a refused task to {@code refused}.
     * Tasks from other threads go through a mailbox drained by one loop task, so that a burst of publishes or
     * acknowledgements costs one hand-off (and one socket flush), not one per frame.
     */
    private void onEventLoop(Runnable task, Consumer<RelaisException> refused) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        mailbox.offer(new LoopTask(task, refused));
        if (mailboxScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainMailbox);
            } catch (RejectedExecutionException e) {
                RelaisException failure = new RelaisException(null, "connection closed: its event loop has shut down",
                        e);
                LoopTask t;
                while ((t = mailbox.poll()) != null) {
                    t.refused().accept(failure);
                }
                mailboxScheduled.set(false);
            }
        }
    }

    private void drainMailbox() {
        mailboxScheduled.set(false);
        LoopTask t;
        while ((t = mailbox.poll()) != null) {
            t.task().run();
        }
    }

    /** A duration as people write it: 10s, 250ms, 1m30s. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60 || s % 60 != 0 && s < 600) {
            return s < 60 ? s + "s" : s / 60 + "m" + s % 60 + "s";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
