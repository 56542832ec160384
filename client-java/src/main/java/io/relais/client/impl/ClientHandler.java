package io.relais.client.impl;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.client.AuthenticationException;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthChallenge;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Welcome;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-connection protocol state machine, the last handler of the pipeline, on the channel's event loop:
 * handshake (AWAIT_WELCOME, AWAIT_READY, which with SCRAM-SHA-256 also takes the AUTH_CHALLENGEs), then OPEN,
 * then CLOSING and CLOSED. It receives every frame and
 * dispatches it by state; in OPEN, answers, confirms, returns, deliveries and cancellations go to the
 * connection's {@link OpenSession}, which owns the tables (requests, unconfirmed publishes, subscriptions).
 * Heartbeats, fatal errors and the close handshake are handled here.
 *
 * <p>Event loop only, so it needs no locks: {@link Connection} calls the package-private methods here only
 * from the event loop. Every inbound frame is released here, once, after it was handled; deliveries are
 * copied to the heap first.
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

    private final Connection connection;
    private final ClientConfig config;
    private final DeliveryDispatcher dispatcher;
    private final OpenSession session;
    private final CompletableFuture<Connection> connected;
    private final long connectDeadlineNanos;
    private final long requestTimeoutNanos;
    private final String requestTimeoutText;

    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_WELCOME;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> sweepTimer;
    private ScheduledFuture<?> closeTimer;
    private RelaisException closeCause;
    private boolean closedByClient;
    private boolean wasOpen;
    private Welcome welcome;
    /** The SCRAM-SHA-256 exchange under way, or null for PLAIN. */
    private ScramClient scram;
    /** True once the server's SCRAM signature was checked: READY is accepted only then. */
    private boolean serverVerified;

    ClientHandler(Connection connection, ClientConfig config, DeliveryDispatcher dispatcher,
            CompletableFuture<Connection> connected, long connectDeadlineNanos) {
        this.connection = connection;
        this.config = config;
        this.dispatcher = dispatcher;
        this.session = new OpenSession(this, connection, dispatcher, config);
        this.connected = connected;
        this.connectDeadlineNanos = connectDeadlineNanos;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.requestTimeoutText = Durations.format(config.requestTimeout());
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
                config.clientName(), ProtocolVersion.CAPABILITIES));
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
            connection.terminated(e);
            return;
        }
        RelaisException cause = closeCause;
        if (cause == null && !closedByClient) {
            cause = new RelaisException(null, "connection to " + config.address() + " lost");
        }
        RelaisException failure = cause == null ? new RelaisException(null, "connection closed")
                : new RelaisException(cause.rawCode(), "connection closed: " + cause.getMessage());
        session.failAll(failure);
        if (cause != null && !closedByClient) {
            LOG.warn("connection {} to {} closed: {}", connection.connectionId(), config.address(), cause.getMessage());
            connection.reportError(cause);
        } else {
            LOG.debug("connection {} to {} closed", connection.connectionId(), config.address());
        }
        connection.terminated(cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            Throwable tls = cause instanceof DecoderException && cause.getCause() instanceof SSLException
                    ? cause.getCause() : cause instanceof SSLException ? cause : null;
            closeCause = tls != null
                    ? new RelaisException(null, "TLS handshake with " + config.address() + " failed: " + tls.getMessage(),
                            tls)
                    : new RelaisException(null, "connection to " + config.address() + " failed: " + cause.getMessage(),
                            cause);
        }
        LOG.debug("connection {} failed", connection.connectionId(), cause);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(Heartbeat.INSTANCE);
            } else if (idle.state() == IdleState.READER_IDLE && ctx.channel().config().isAutoRead()) {
                // While the client itself does not read (its handlers are behind), the broker's frames wait in
                // the socket: silence then proves nothing (PROTOCOL.md 7.8, point 6, from the client's side).
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
                session.flushSettlements(ctx); // acknowledgements made before the close still go out
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
            case AUTH_CHALLENGE -> {
                if (state != State.AWAIT_READY || scram == null) {
                    unexpected(frame);
                    return;
                }
                onChallenge((AuthChallenge) frame);
            }
            case ERROR -> {
                ErrorFrame e = (ErrorFrame) frame;
                fatal(RelaisException.fromBroker(e.code(), e.message()));
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
        if (!Auth.DEFAULT_VHOST.equals(config.vhost()) && !w.capabilities().contains(ProtocolVersion.CAP_ADMIN)) {
            // PROTOCOL.md 4.3: a server without 'admin' ignores AUTH's vhost and would put us in "/".
            fatal(new RelaisException(null, "the server at " + config.address() + " has no virtual hosts (no 'admin' "
                    + "capability), so it cannot open vhost '" + config.vhost() + "'"));
            return;
        }
        welcome = w;
        state = State.AWAIT_READY;
        boolean certificate = config.tls() != null && config.tls().options().hasClientCertificate();
        if (certificate && !w.mechanisms().contains(ProtocolVersion.MECH_EXTERNAL)) {
            // The client was told to prove who it is with its certificate: falling back to a password (the
            // default guest's, perhaps) would log it in as someone else without saying so.
            fatal(new AuthenticationException("the server at " + config.address() + " did not accept the client "
                    + "certificate (it offers " + w.mechanisms() + ", not EXTERNAL): the certificate must be signed by "
                    + "a CA the server trusts for clients (its tls.ca)", null));
            return;
        }
        if (certificate) {
            // The certificate names the user; the response (authzid) is left empty. The TLS handshake checked
            // the server's certificate, which stands for the server's proof here.
            serverVerified = true;
            ctx.writeAndFlush(new Auth(ProtocolVersion.MECH_EXTERNAL, new byte[0], config.heartbeat().toMillis(),
                    config.vhost()));
        } else if (w.mechanisms().contains(ProtocolVersion.MECH_SCRAM_SHA_256)) {
            // The default: the password never crosses the wire, and the server proves it holds the credentials.
            scram = new ScramClient(config.username());
            ctx.writeAndFlush(new Auth(ProtocolVersion.MECH_SCRAM_SHA_256, scram.clientFirst(),
                    config.heartbeat().toMillis(), config.vhost()));
        } else if (w.mechanisms().contains(ProtocolVersion.MECH_PLAIN)) {
            serverVerified = true;
            byte[] response = ("\0" + config.username() + "\0" + config.password()).getBytes(StandardCharsets.UTF_8);
            ctx.writeAndFlush(new Auth(ProtocolVersion.MECH_PLAIN, response, config.heartbeat().toMillis(),
                    config.vhost()));
        } else {
            fatal(new AuthenticationException("the server at " + config.address() + " offers no mechanism this "
                    + "client speaks (it offers " + w.mechanisms() + "; this client speaks SCRAM-SHA-256, PLAIN and, with a client certificate, EXTERNAL)",
                    null));
        }
    }

    /**
     * A SCRAM-SHA-256 challenge: the server-first-message, answered with the client proof once the salted
     * password is derived on the key-derivation thread (never on this loop); or the server-final-message,
     * whose signature must be right before READY is accepted.
     */
    private void onChallenge(AuthChallenge challenge) {
        if (challenge.done()) {
            try {
                scram.serverFinal(challenge.data());
                serverVerified = true;
            } catch (IllegalArgumentException e) {
                fatal(new AuthenticationException("SCRAM-SHA-256 with " + config.address() + ": " + e.getMessage(), e));
            }
            return;
        }
        ScramClient.Challenge c;
        try {
            c = scram.serverFirst(challenge.data());
        } catch (IllegalArgumentException e) {
            fatal(new AuthenticationException("SCRAM-SHA-256 with " + config.address() + ": " + e.getMessage(), e));
            return;
        }
        ScramClient exchange = scram;
        KeyDerivationThread.supply(() -> exchange.clientFinal(Scram.saltedPassword(config.password(), c.salt(),
                c.iterations()))).whenCompleteAsync((last, failure) -> {
                    if (state != State.AWAIT_READY || exchange != scram) {
                        return;
                    }
                    if (failure != null) {
                        fatal(new AuthenticationException("SCRAM-SHA-256: cannot derive the key: " + failure, failure));
                    } else {
                        ctx.writeAndFlush(new AuthResponse(last));
                    }
                }, ctx.executor());
    }

    private void onReady(Ready ready) {
        if (!serverVerified) {
            fatal(new AuthenticationException("the server at " + config.address() + " sent READY without proving "
                    + "it holds the credentials of user '" + config.username() + "' (no SCRAM server signature)", null));
            return;
        }
        cancel(handshakeTimer);
        int maxFrameSize = (int) Math.min(Integer.MAX_VALUE, Math.max(welcome.maxFrameSize(),
                ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE));
        ClientPipeline.opened(ctx.pipeline(), maxFrameSize, ready.heartbeatMillis());
        long sweep = Math.max(MIN_SWEEP_INTERVAL_MILLIS, Math.min(MAX_SWEEP_INTERVAL_MILLIS,
                config.requestTimeout().toMillis() / 10));
        sweepTimer = ctx.executor().scheduleAtFixedRate(session::expireDeadlines, sweep, sweep, TimeUnit.MILLISECONDS);
        state = State.OPEN;
        wasOpen = true;
        connection.opened(ready.connectionId(), maxFrameSize);
        LOG.debug("connected to {} as {} (heartbeat {} ms, max frame {} bytes)", config.address(),
                ready.connectionId(), ready.heartbeatMillis(), maxFrameSize);
        connected.complete(connection);
    }

    private void handshakeTimedOut() {
        if (state == State.AWAIT_WELCOME || state == State.AWAIT_READY) {
            fatal(new RelaisException(null, "timed out after " + Durations.format(config.connectTimeout())
                    + " waiting for " + (state == State.AWAIT_WELCOME ? "WELCOME" : "READY") + " from "
                    + config.address()));
        }
    }

    private void onFrame(Frame frame) {
        if (frame instanceof ErrorFrame e && e.requestId() == 0) {
            onConnectionError(e);
            return;
        }
        if (frame instanceof Answer answer) {
            session.answer(answer);
            return;
        }
        switch (frame.type()) {
            case HEARTBEAT -> {
                // liveness only: the idle handler saw the read
            }
            case CONFIRM -> session.confirm((Confirm) frame);
            case RETURN -> session.returned((Return) frame);
            case DELIVER -> session.deliver((Deliver) frame);
            case CANCELLED -> session.cancelled((Cancelled) frame);
            case FLOW -> session.flow((Flow) frame);
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

    /** An ERROR without request id: fatal ones end the connection, the others go to the error listeners. */
    private void onConnectionError(ErrorFrame e) {
        RelaisException ex = RelaisException.fromBroker(e.code(), e.message());
        if (ex.isFatal()) {
            fatal(ex);
        } else {
            LOG.debug("asynchronous error from the server: {} {}", e.code(), e.message());
            connection.reportError(ex);
        }
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

    /** Sends a request and completes {@code future} with its answer; fails it at once unless open. */
    <T> void request(BrokerCall<T> call, CompletableFuture<T> future, Runnable onFailure) {
        if (state != State.OPEN) {
            if (onFailure != null) {
                onFailure.run();
            }
            future.completeExceptionally(notOpen());
            return;
        }
        session.request(ctx, call, future, onFailure);
    }

    /** Writes a PUBLISH; with a confirm it gets the next seq and is settled on CONFIRM. */
    void publish(OutgoingPublish p) {
        if (!writable()) {
            p.failed(notOpen());
            return;
        }
        session.publish(ctx, p);
    }

    /** Registers a subscription before its SUBSCRIBE goes out, so that no delivery can miss it. */
    void addSubscription(ActiveSubscription sub) {
        session.addSubscription(sub);
    }

    void removeSubscription(ActiveSubscription sub) {
        session.removeSubscription(sub);
    }

    /**
     * Open, and the channel not closed under us (its channelInactive may still be on its way): frames written with
     * the void promise are then never written to a closed channel, which would report a failure of its own.
     */
    private boolean writable() {
        return state == State.OPEN && ctx != null && ctx.channel().isActive();
    }

    /** True when frames may be sent. */
    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Sends (or coalesces) an ACK/NACK/REJECT if the connection is open; dropped otherwise (the broker requeues). */
    void settle(IncomingDelivery delivery) {
        if (writable()) {
            session.settle(ctx, delivery);
        } else {
            LOG.debug("{} of tag {} not sent: connection is {}", delivery.settlement(), delivery.tag(), state);
        }
    }

    /** End of a mailbox drain: coalesced acknowledgements go out, and what was written is flushed. */
    void drained() {
        if (writable()) {
            session.flushSettlements(ctx);
            ctx.flush();
        } else {
            session.discardSettlements();
        }
    }

    private RelaisException notOpen() {
        RelaisException cause = closeCause;
        return cause == null ? new RelaisException(null, "connection closed")
                : new RelaisException(cause.rawCode(), "connection closed: " + cause.getMessage());
    }

    /** Why a write failed: the connection closed, or the failure itself. */
    RelaisException sendFailure(String what, Throwable cause) {
        if (state != State.OPEN) {
            return notOpen();
        }
        return new RelaisException(null, "cannot send " + what + ": " + cause.getMessage(), cause);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
