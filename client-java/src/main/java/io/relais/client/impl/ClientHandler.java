package io.relais.client.impl;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-connection protocol state machine, on the channel's event loop: handshake
 * (AWAIT_WELCOME, AWAIT_READY), then OPEN (requests and answers, confirms, returns, deliveries), then
 * CLOSING and CLOSED.
 *
 * <p>It owns the connection's tables — outstanding requests by id, unconfirmed publishes by seq,
 * subscriptions by sid — and touches them only on the event loop, so they need no locks.
 * {@link ClientConnection} calls the package-private methods here only from the event loop.
 * Every inbound frame is released here, once, after it was handled; deliveries are copied to the heap first.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

    /** Reason sent in the client's CLOSE. */
    static final String CLIENT_CLOSE_REASON = "client closing";
    /** Longest pause between two checks of request and confirm deadlines. */
    static final long MAX_SWEEP_INTERVAL_MILLIS = 1000;
    /** Shortest pause between two checks of request and confirm deadlines. */
    static final long MIN_SWEEP_INTERVAL_MILLIS = 10;

    enum State { AWAIT_WELCOME, AWAIT_READY, OPEN, CLOSING, CLOSED }

    private final ClientConnection connection;
    private final ClientConfig config;
    private final DeliveryDispatcher dispatcher;
    private final CompletableFuture<ClientConnection> connected;
    private final long connectDeadlineNanos;
    private final long requestTimeoutNanos;
    private final String requestTimeoutText;

    private final PendingRequests requests = new PendingRequests();
    private final UnconfirmedPublishes unconfirmed = new UnconfirmedPublishes();
    private final Map<Long, ActiveSubscription> subscriptions = new HashMap<>();

    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_WELCOME;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> sweepTimer;
    private ScheduledFuture<?> closeTimer;
    private RelaisException closeCause;
    private boolean closedByClient;
    private boolean wasOpen;
    private Welcome welcome;

    ClientHandler(ClientConnection connection, ClientConfig config, DeliveryDispatcher dispatcher,
            CompletableFuture<ClientConnection> connected, long connectDeadlineNanos) {
        this.connection = connection;
        this.config = config;
        this.dispatcher = dispatcher;
        this.connected = connected;
        this.connectDeadlineNanos = connectDeadlineNanos;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.requestTimeoutText = ClientConnection.format(config.requestTimeout());
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        dispatcher.channel(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long remaining = connectDeadlineNanos - System.nanoTime();
        handshakeTimer = ctx.executor().schedule(this::handshakeTimedOut, Math.max(remaining, 0),
                TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                config.clientName(), ProtocolVersion.V1_CAPABILITIES));
        ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        connection.writabilityChanged();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        connection.markNotOpen();
        cancel(handshakeTimer);
        cancel(sweepTimer);
        cancel(closeTimer);
        if (!wasOpen) {
            RelaisException e = closeCause != null ? closeCause : new RelaisException(null,
                    "connection closed by " + config.address() + " during the handshake (waiting for "
                            + (was == State.AWAIT_WELCOME ? "WELCOME" : "READY") + ")");
            connected.completeExceptionally(e);
            connection.terminated();
            return;
        }
        RelaisException cause = closeCause;
        if (cause == null && !closedByClient) {
            cause = new RelaisException(null, "connection to " + config.address() + " lost");
        }
        RelaisException failure = cause == null ? new RelaisException(null, "connection closed")
                : new RelaisException(cause.rawCode(), "connection closed: " + cause.getMessage());
        requests.failAll(failure);
        unconfirmed.failAll(failure);
        for (ActiveSubscription s : subscriptions.values()) {
            s.markEnded();
        }
        subscriptions.clear();
        if (cause != null && !closedByClient) {
            LOG.warn("connection {} to {} closed: {}", connection.connectionId(), config.address(), cause.getMessage());
            connection.reportError(cause);
        } else {
            LOG.debug("connection {} to {} closed", connection.connectionId(), config.address());
        }
        connection.terminated();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = new RelaisException(null, "connection to " + config.address() + " failed: "
                    + cause.getMessage(), cause);
        }
        LOG.debug("connection {} failed", connection.connectionId(), cause);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(Heartbeat.INSTANCE);
            } else if (idle.state() == IdleState.READER_IDLE) {
                fatal(new RelaisException(ErrorCode.HEARTBEAT_TIMEOUT, "nothing received from "
                        + config.address() + " for two heartbeat intervals"));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Starts the graceful close: CLOSE, then close the socket on CLOSE_OK or after the request timeout. */
    void closeGracefully() {
        closedByClient = true;
        switch (state) {
            case OPEN -> {
                state = State.CLOSING;
                connection.markNotOpen();
                ctx.writeAndFlush(new Close(0, CLIENT_CLOSE_REASON));
                closeTimer = ctx.executor().schedule(() -> {
                    LOG.debug("no CLOSE_OK within {}; closing the socket", requestTimeoutText);
                    ctx.close();
                }, requestTimeoutNanos, TimeUnit.NANOSECONDS);
            }
            case AWAIT_WELCOME, AWAIT_READY -> ctx.close();
            case CLOSING, CLOSED -> {
                // already under way or done; channelInactive completes the close future
            }
        }
    }

    /** Closes the connection for a reason that ends it (fatal error, protocol violation, dead peer). */
    private void fatal(RelaisException cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        if (!connected.isDone()) {
            connected.completeExceptionally(cause);
        }
        state = State.CLOSING;
        connection.markNotOpen();
        ctx.close();
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DecodeFailure failure) {
            if (state != State.CLOSED) {
                ctx.writeAndFlush(new Close(failure.code().code(), failure.message()));
                fatal(new RelaisException(failure.code(), "invalid frame from " + config.address() + ": "
                        + failure.message()));
            }
            return;
        }
        Frame frame = (Frame) msg;
        try {
            switch (state) {
                case AWAIT_WELCOME, AWAIT_READY -> onHandshakeFrame(frame);
                case OPEN -> onFrame(frame);
                case CLOSING -> onFrameWhileClosing(frame);
                case CLOSED -> LOG.debug("discarding {} after close", frame.type());
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onHandshakeFrame(Frame frame) {
        switch (frame.type()) {
            case WELCOME -> {
                if (state != State.AWAIT_WELCOME) {
                    unexpected(frame);
                    return;
                }
                onWelcome((Welcome) frame);
            }
            case READY -> {
                if (state != State.AWAIT_READY) {
                    unexpected(frame);
                    return;
                }
                onReady((Ready) frame);
            }
            case ERROR -> {
                ErrorFrame e = (ErrorFrame) frame;
                fatal(new RelaisException(e.code(), e.message()));
            }
            case CLOSE -> {
                Close c = (Close) frame;
                ctx.writeAndFlush(CloseOk.INSTANCE);
                fatal(new RelaisException(c.code(), "closed by the server during the handshake: " + c.reason()));
            }
            case HEARTBEAT -> {
                // liveness only
            }
            default -> unexpected(frame);
        }
    }

    private void onWelcome(Welcome w) {
        if (w.version() < ProtocolVersion.MIN_SUPPORTED || w.version() > ProtocolVersion.MAX_SUPPORTED) {
            fatal(new RelaisException(ErrorCode.UNSUPPORTED_VERSION, "the server chose protocol version "
                    + w.version() + ", this client speaks " + ProtocolVersion.MIN_SUPPORTED + "-"
                    + ProtocolVersion.MAX_SUPPORTED));
            return;
        }
        if (!w.mechanisms().contains(ProtocolVersion.MECH_PLAIN)) {
            fatal(new RelaisException(null, "the server at " + config.address()
                    + " does not offer PLAIN authentication (offers " + w.mechanisms() + ")"));
            return;
        }
        welcome = w;
        byte[] response = ("\0" + config.username() + "\0" + config.password()).getBytes(StandardCharsets.UTF_8);
        state = State.AWAIT_READY;
        ctx.writeAndFlush(new Auth(ProtocolVersion.MECH_PLAIN, response, config.heartbeat().toMillis()));
    }

    private void onReady(Ready ready) {
        cancel(handshakeTimer);
        int maxFrameSize = (int) Math.min(Integer.MAX_VALUE, Math.max(welcome.maxFrameSize(),
                ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE));
        ClientPipeline.opened(ctx.pipeline(), maxFrameSize, ready.heartbeatMillis());
        long sweep = Math.max(MIN_SWEEP_INTERVAL_MILLIS, Math.min(MAX_SWEEP_INTERVAL_MILLIS,
                config.requestTimeout().toMillis() / 10));
        sweepTimer = ctx.executor().scheduleAtFixedRate(this::expireDeadlines, sweep, sweep, TimeUnit.MILLISECONDS);
        state = State.OPEN;
        wasOpen = true;
        connection.opened(ready.connectionId(), maxFrameSize);
        LOG.debug("connected to {} as {} (heartbeat {} ms, max frame {} bytes)", config.address(),
                ready.connectionId(), ready.heartbeatMillis(), maxFrameSize);
        connected.complete(connection);
    }

    private void handshakeTimedOut() {
        if (state == State.AWAIT_WELCOME || state == State.AWAIT_READY) {
            fatal(new RelaisException(null, "timed out after " + ClientConnection.format(config.connectTimeout())
                    + " waiting for " + (state == State.AWAIT_WELCOME ? "WELCOME" : "READY") + " from "
                    + config.address()));
        }
    }

    private void onFrame(Frame frame) {
        switch (frame.type()) {
            case HEARTBEAT -> {
                // liveness only: the idle handler saw the read
            }
            case OK -> answer(((Ok) frame).requestId(), frame);
            case QUEUE_DECLARE_OK -> answer(((QueueDeclareOk) frame).requestId(), frame);
            case SUBSCRIBE_OK -> answer(((SubscribeOk) frame).requestId(), frame);
            case EXCHANGE_LIST_OK -> answer(((ExchangeListOk) frame).requestId(), frame);
            case QUEUE_LIST_OK -> answer(((QueueListOk) frame).requestId(), frame);
            case ERROR -> onError((ErrorFrame) frame);
            case CONFIRM -> {
                Confirm c = (Confirm) frame;
                if (unconfirmed.confirm(c) == 0) {
                    LOG.debug("CONFIRM for seq {} that is not outstanding (timed out?)", c.seq());
                }
            }
            case RETURN -> onReturn((Return) frame);
            case DELIVER -> onDeliver((Deliver) frame);
            case CANCELLED -> onCancelled((Cancelled) frame);
            case CLOSE -> onServerClose((Close) frame);
            case CLOSE_OK -> LOG.debug("CLOSE_OK without CLOSE ignored");
            default -> unexpected(frame);
        }
    }

    /**
     * After our CLOSE the broker still answers what we sent before it: answers, confirms, returns and
     * errors are processed as usual, so their futures and listeners learn the outcome. Deliveries are
     * dropped (the broker requeues unacknowledged ones when the connection closes).
     */
    private void onFrameWhileClosing(Frame frame) {
        switch (frame.type()) {
            case CLOSE_OK -> ctx.close();
            case CLOSE -> ctx.writeAndFlush(CloseOk.INSTANCE).addListener(ChannelFutureListener.CLOSE);
            case DELIVER -> LOG.debug("delivery after CLOSE dropped; the broker requeues it if unacknowledged");
            default -> onFrame(frame);
        }
    }

    private void answer(long requestId, Frame frame) {
        PendingRequests.Pending<?> p = requests.remove(requestId);
        if (p == null) {
            LOG.debug("{} for request {} that is not outstanding (timed out?)", frame.type(), requestId);
            return;
        }
        p.complete(frame);
    }

    private void onError(ErrorFrame e) {
        if (e.requestId() != 0) {
            answer(e.requestId(), e);
            return;
        }
        RelaisException ex = new RelaisException(e.code(), e.message());
        if (ex.isFatal()) {
            fatal(ex);
        } else {
            LOG.debug("asynchronous error from the server: {} {}", e.code(), e.message());
            connection.reportError(ex);
        }
    }

    private void onReturn(Return r) {
        NoRouteException e = new NoRouteException(r.exchange(), r.routingKey(), "message to exchange '"
                + r.exchange() + "' with routing key '" + r.routingKey() + "' returned: " + r.reason());
        if (r.seq() == 0 || !unconfirmed.markReturned(r.seq(), e)) {
            connection.reportError(e);
        }
    }

    private void onDeliver(Deliver d) {
        ActiveSubscription sub = subscriptions.get(d.sid());
        if (sub == null) {
            LOG.warn("DELIVER for unknown subscription {} (tag {}) dropped", d.sid(), d.deliveryTag());
            return;
        }
        IncomingDelivery delivery = new IncomingDelivery(connection, sub.manualAck(), d,
                ByteBufUtil.getBytes(d.payload()));
        dispatcher.dispatch(() -> sub.handle(delivery));
    }

    private void onCancelled(Cancelled c) {
        ActiveSubscription sub = subscriptions.remove(c.sid());
        if (sub == null) {
            LOG.debug("CANCELLED for unknown subscription {}", c.sid());
            return;
        }
        sub.markEnded();
        LOG.info("subscription {} on queue '{}' cancelled by the server: {} ({})", c.sid(), sub.queue(),
                c.reason(), c.code());
        connection.reportError(new RelaisException(c.code(), "subscription " + c.sid() + " on queue '"
                + sub.queue() + "' cancelled by the server: " + c.reason()));
    }

    private void onServerClose(Close c) {
        closeCause = new RelaisException(c.code(), "closed by the server: " + c.reason());
        state = State.CLOSING;
        connection.markNotOpen();
        ctx.writeAndFlush(CloseOk.INSTANCE).addListener(ChannelFutureListener.CLOSE);
    }

    private void unexpected(Frame frame) {
        ctx.writeAndFlush(new Close(ErrorCode.UNEXPECTED_FRAME.code(), frame.type() + " not expected in state " + state));
        fatal(new RelaisException(ErrorCode.UNEXPECTED_FRAME, "the server sent " + frame.type()
                + " in state " + state));
    }

    // ---------------------------------------------------------------- outbound, called on the event loop

    /** Sends a request and completes {@code future} with its answer, read by {@code reader}. */
    <T> void request(String description, LongFunction<Frame> build, Function<Frame, T> reader,
            CompletableFuture<T> future, Runnable onFailure) {
        PendingRequests.Pending<T> p = new PendingRequests.Pending<>(description,
                System.nanoTime() + requestTimeoutNanos, reader, future, onFailure);
        if (state != State.OPEN) {
            p.fail(notOpen());
            return;
        }
        long id = requests.add(p);
        Frame frame;
        try {
            frame = build.apply(id);
        } catch (RuntimeException e) {
            requests.remove(id);
            p.fail(e);
            return;
        }
        ctx.writeAndFlush(frame).addListener(w -> {
            if (!w.isSuccess() && requests.remove(id) != null) {
                p.fail(sendFailure(description, w.cause()));
            }
        });
    }

    /** Writes a PUBLISH; with {@code confirm} it gets the next seq and completes on CONFIRM. */
    void publish(Message m, CompletableFuture<Void> future, boolean confirm) {
        if (state != State.OPEN) {
            future.completeExceptionally(notOpen());
            return;
        }
        long seq = confirm ? unconfirmed.add(future, System.nanoTime() + requestTimeoutNanos) : 0;
        int flags = (m.persistent() ? Publish.PERSISTENT : 0) | (m.mandatory() ? Publish.MANDATORY : 0);
        Publish frame = new Publish(seq, m.exchange(), m.routingKey(), flags, m.properties(),
                Unpooled.wrappedBuffer(m.payload()));
        ctx.writeAndFlush(frame).addListener(w -> {
            if (!w.isSuccess()) {
                RelaisException e = sendFailure("PUBLISH", w.cause());
                if (confirm) {
                    unconfirmed.fail(seq, e);
                } else {
                    future.completeExceptionally(e);
                }
            } else if (!confirm) {
                future.complete(null);
            }
        });
    }

    /** Registers a subscription before its SUBSCRIBE goes out, so that no delivery can miss it. */
    void addSubscription(ActiveSubscription sub) {
        subscriptions.put(sub.sid(), sub);
    }

    void removeSubscription(ActiveSubscription sub) {
        subscriptions.remove(sub.sid());
        sub.markEnded();
    }

    /** True when frames may be sent. */
    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Sends an ACK/NACK/REJECT if the connection is open; dropped otherwise (the broker requeues). */
    void sendIfOpen(Frame frame) {
        if (state == State.OPEN) {
            ctx.writeAndFlush(frame);
        } else {
            LOG.debug("{} not sent: connection is {}", frame.type(), state);
        }
    }

    private RelaisException notOpen() {
        RelaisException cause = closeCause;
        return cause == null ? new RelaisException(null, "connection closed")
                : new RelaisException(cause.rawCode(), "connection closed: " + cause.getMessage());
    }

    private RelaisException sendFailure(String what, Throwable cause) {
        if (state != State.OPEN) {
            return notOpen();
        }
        return new RelaisException(null, "cannot send " + what + ": " + cause.getMessage(), cause);
    }

    private void expireDeadlines() {
        long now = System.nanoTime();
        requests.expire(now, requestTimeoutText);
        unconfirmed.expire(now, requestTimeoutText);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
