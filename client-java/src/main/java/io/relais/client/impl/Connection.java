package io.relais.client.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.relais.client.Message;
import io.relais.client.MessageHandler;
import io.relais.client.ConnectionEvent;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to the broker, from connect to close, and the proxy onto its event loop: any thread
 * calls it, it checks what can be checked at once (open, frame size, backpressure through its
 * {@link PublishGate}) and hands the rest to the event loop through an {@link EventLoopMailbox}, where its
 * {@link ClientHandler} owns all protocol state. It never reconnects: the {@link ConnectionSupervisor} replaces
 * a lost connection with a new one.
 *
 * <p>Thread-safe. The fields the event loop sets (connection id, frame size limit, open flag) are volatile.
 */
final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    /** Room left in a frame for everything but the payload when checking a publish against the limit. */
    static final int PUBLISH_OVERHEAD_ALLOWANCE = 1024;

    private final ClientConfig config;
    private final ClientCallbacks callbacks;
    private final DeliveryDispatcher dispatcher;
    private final PublishGate gate;
    private final FlowClock flowClock = new FlowClock();
    private final ClientHandler handler;
    private final AtomicLong lastSid = new AtomicLong();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean terminated = new AtomicBoolean();
    private final CompletableFuture<Connection> connected = new CompletableFuture<>();
    private final CompletableFuture<RelaisException> ended = new CompletableFuture<>();

    private volatile Channel channel;
    private volatile EventLoopMailbox mailbox;
    private volatile String connectionId;
    private volatile int maxFrameSize = ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE;
    private volatile boolean open;

    private Connection(ClientConfig config, ClientCallbacks callbacks) {
        this.config = config;
        this.callbacks = callbacks;
        this.dispatcher = new DeliveryDispatcher(callbacks.executor(), config.maxPendingDeliveries());
        this.gate = new PublishGate(config, flowClock);
        this.handler = new ClientHandler(this, config, dispatcher, connected,
                System.nanoTime() + config.connectTimeout().toNanos());
    }

    // ---------------------------------------------------------------- opening

    /** Connects and performs the handshake; the future fails with {@link RelaisException}. */
    static CompletableFuture<Connection> open(ClientConfig config, EventLoopGroup group, ClientCallbacks callbacks) {
        return new Connection(config, callbacks).start(group);
    }

    /** {@link #open} and wait, at most the connect timeout. */
    static Connection openBlocking(ClientConfig config, EventLoopGroup group, ClientCallbacks callbacks) {
        CompletableFuture<Connection> f = open(config, group, callbacks);
        try {
            // The handshake timer fails the future at the deadline; the margin only guards against a stuck loop.
            return f.get(config.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RelaisException r ? r
                    : new RelaisException(null, "cannot connect to " + config.address() + ": " + cause, cause);
        } catch (TimeoutException e) {
            f.thenAccept(Connection::close);
            throw new RelaisException(null, "timed out after " + Durations.format(config.connectTimeout())
                    + " connecting to " + config.address());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(Connection::close);
            throw new RelaisException(null, "interrupted while connecting to " + config.address(), e);
        }
    }

    private CompletableFuture<Connection> start(EventLoopGroup group) {
        ChannelFuture connect;
        try {
            connect = ClientPipeline.bootstrap(group, config, handler).connect(config.host(), config.port());
        } catch (RuntimeException e) {
            RelaisException failure = new RelaisException(null, "cannot connect to " + config.address() + ": "
                    + e.getMessage(), e);
            terminated(failure);
            connected.completeExceptionally(failure);
            return connected;
        }
        this.mailbox = new EventLoopMailbox(connect.channel().eventLoop(), handler::drained);
        this.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                RelaisException failure = connectFailure(f.cause());
                connected.completeExceptionally(failure);
                terminated(failure);
            }
        });
        return connected;
    }

    private RelaisException connectFailure(Throwable cause) {
        String reason;
        if (cause instanceof ConnectTimeoutException) {
            reason = "timed out after " + Durations.format(config.connectTimeout());
        } else {
            String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            // Netty appends the address ("Connection refused: /127.0.0.1:7420") and epoll prefixes the call.
            m = m.replaceFirst("^(finishConnect|connect)\\(\\.\\.\\) failed: ", "").replaceFirst(": [^ ]*/[^ ]*$", "");
            reason = cause instanceof UnknownHostException ? "unknown host " + m : m;
        }
        return new RelaisException(null, "cannot connect to " + config.address() + ": " + reason, cause);
    }

    // ---------------------------------------------------------------- called by ClientHandler, on the event loop

    void opened(String connectionId, int maxFrameSize) {
        this.connectionId = connectionId;
        this.maxFrameSize = maxFrameSize;
        this.open = true;
    }

    void markNotOpen() {
        open = false;
    }

    /**
     * The connection is gone. {@link #ended()} completes on the handler executor, after the tasks already queued
     * there, so error listeners for errors that arrived before the end have run when it completes, given an
     * executor that runs tasks in order (the default does).
     *
     * @param cause why it ended; {@code null} when the client closed it
     */
    void terminated(RelaisException cause) {
        open = false;
        gate.writabilityChanged();
        if (terminated.compareAndSet(false, true)) {
            callbacks.execute(() -> ended.complete(cause));
        }
    }

    void writabilityChanged() {
        gate.writabilityChanged();
    }

    /** Passes an asynchronous error to the client's error listeners. */
    void reportError(RelaisException error) {
        callbacks.reportError(error);
    }

    /** The clock of this connection's deadlines, which stands still while the broker does not read. */
    FlowClock flowClock() {
        return flowClock;
    }

    /** FLOW: the broker stopped ({@code blocked}) or resumed reading from this connection; on the event loop. */
    void flowChanged(boolean blocked, String reason) {
        callbacks.fire(blocked ? ConnectionEvent.Type.BLOCKED : ConnectionEvent.Type.UNBLOCKED, connectionId, null, 0,
                reason);
    }

    // ---------------------------------------------------------------- called by the client, any thread

    /** The id the broker gave this connection in READY. */
    String connectionId() {
        return connectionId;
    }

    /** True from READY until the connection starts closing or is lost. */
    boolean isOpen() {
        return open;
    }

    /** True on this connection's event loop. */
    boolean inEventLoop() {
        EventLoopMailbox m = mailbox;
        return m != null && m.inEventLoop();
    }

    /** Completes, never exceptionally, once the connection has ended, with why; see {@link #terminated}. */
    CompletableFuture<RelaisException> ended() {
        return ended;
    }

    /** Sends a request; the future completes with its answer as the call reads it. */
    <T> CompletableFuture<T> request(BrokerCall<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        mailbox.run(() -> handler.request(call, f, null), f::completeExceptionally);
        return f;
    }

    /**
     * Publishes; with {@code confirmed} the future completes on the broker's CONFIRM, otherwise once the
     * message is written to the socket. Waits here, not on the event loop, for room (see {@link PublishGate}).
     */
    CompletableFuture<Void> publish(Message message, boolean confirmed) {
        return OutgoingPublish.submit(message, confirmed, this::publish);
    }

    /**
     * Hands a publish to the event loop, after waiting here (not there) for room in the window and the socket
     * (see {@link PublishGate}); its outcome goes where the publish says.
     *
     * @return null once handed over, or why it was refused at once (then it holds no place in the window and
     *     nothing has been reported for it)
     */
    RelaisException publish(OutgoingPublish p) {
        RelaisException refused = checkPublishable(p.message);
        if (refused != null) {
            return refused;
        }
        if (p.confirmed) {
            refused = gate.acquireConfirmWindow(inEventLoop());
            if (refused != null) {
                return refused;
            }
        }
        RelaisException full = gate.awaitRoom(channel, this::isOpen);
        if (full != null) {
            if (p.confirmed) {
                gate.releaseConfirmWindow();
            }
            return full;
        }
        p.handedTo(this, p.confirmed ? gate : null);
        gate.queued(p.message.payload().length);
        mailbox.submit(p);
        return null;
    }

    /** On the event loop: a publish handed over by {@link #publish(OutgoingPublish)} is to be written. */
    void publishArrived(OutgoingPublish p) {
        gate.dequeued(p.message.payload().length);
        handler.publish(p);
    }

    /** The event loop refused a publish handed over; it is failed by the caller. */
    void publishRefused(OutgoingPublish p) {
        gate.dequeued(p.message.payload().length);
    }

    private RelaisException checkPublishable(Message message) {
        Objects.requireNonNull(message, "message");
        if (!open) {
            return new RelaisException(null, "connection closed");
        }
        int limit = maxFrameSize - PUBLISH_OVERHEAD_ALLOWANCE;
        if (message.payload().length > limit) {
            return new RelaisException(ErrorCode.FRAME_TOO_LARGE, "message of "
                    + message.payload().length + " bytes is larger than the broker accepts (" + limit + " bytes)");
        }
        return null;
    }

    /**
     * Subscribes to a queue ({@code queue} not empty) or to a pattern on an exchange ({@code queue} empty, the
     * broker names the queue). The subscription is registered before its SUBSCRIBE goes out, so that no
     * delivery can miss it, and removed again if the broker refuses it.
     */
    CompletableFuture<Subscription> subscribe(String queue, String exchange, String pattern, SubscribeOptions options,
            MessageHandler messageHandler) {
        ActiveSubscription sub = new ActiveSubscription(this, lastSid.incrementAndGet(), messageHandler,
                options.manualAck(), options.batchAcks());
        String description = queue.isEmpty()
                ? "SUBSCRIBE to '" + exchange + "' with '" + pattern + "'" : "SUBSCRIBE to queue '" + queue + "'";
        BrokerCall<Subscription> call = new BrokerCall<>(description,
                id -> new Subscribe(id, sub.sid(), queue, exchange, pattern, options.prefetch(), options.manualAck(),
                        options.exclusive()),
                BrokerCall.expect(SubscribeOk.class, ok -> {
                    sub.queue(ok.queue());
                    return sub;
                }));
        CompletableFuture<Subscription> f = new CompletableFuture<>();
        mailbox.run(() -> {
            handler.addSubscription(sub);
            handler.request(call, f, () -> handler.removeSubscription(sub));
        }, f::completeExceptionally);
        return f;
    }

    /** Sends CANCEL for a subscription of this connection; it is removed once the broker confirms. */
    CompletableFuture<Void> cancel(ActiveSubscription sub) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        BrokerCall<Void> call = new BrokerCall<>("CANCEL of subscription " + sub.sid(), id -> new Cancel(id, sub.sid()),
                BrokerCall.expect(Ok.class, ok -> {
                    handler.removeSubscription(sub); // the reader runs on the event loop
                    return null;
                }));
        mailbox.run(() -> handler.request(call, f, null), f::completeExceptionally);
        return f;
    }

    /**
     * ACK/NACK/REJECT from a delivery, any thread; dropped if the connection is not open (the broker requeues).
     * Settlements that reach the event loop in one drain are coalesced there ({@link AckCoalescer}).
     */
    void sendSettlement(IncomingDelivery delivery) {
        mailbox.submit(delivery);
    }

    /** On the event loop: a settlement handed over by {@link #sendSettlement}. */
    void settlementArrived(IncomingDelivery delivery) {
        handler.settle(delivery);
    }

    /** On the handler executor: runs {@code sub}'s handler for a delivery the dispatcher handed over. */
    void handle(ActiveSubscription sub, IncomingDelivery delivery) {
        try {
            sub.handle(delivery);
        } finally {
            dispatcher.handled();
        }
    }

    /**
     * Closes gracefully: CLOSE, then the socket closes on CLOSE_OK or after the request timeout; requests still
     * outstanding then fail. Idempotent; {@link #ended()} completes when it is done.
     */
    void close() {
        if (closeRequested.compareAndSet(false, true)) {
            markNotOpen();
            Channel ch = channel;
            if (ch == null) {
                terminated(null);
            } else {
                mailbox.run(handler::closeGracefully, e -> {
                    ch.close();
                    terminated(null);
                });
            }
        }
    }

    /** Deliveries waiting for or running on the handler executor; for tests and diagnostics. */
    int pendingDeliveries() {
        return dispatcher.pending();
    }

    /** The channel; for tests and diagnostics. */
    Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "Connection[" + config.address() + ", id=" + connectionId + ", open=" + open + "]";
    }
}
