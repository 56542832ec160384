package io.relais.broker.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.LogText;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.RateLimitedLog;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.manage.ConnectionSnapshot;
import io.relais.broker.core.manage.ConnectionSource;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.metrics.LoopCounter;
import io.relais.broker.metrics.LoopCounters;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Reject;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Subscribe;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: owns its state and runs the connection state machine of PROTOCOL.md 3
 * (states AWAIT_HELLO, AWAIT_AUTH, OPEN, CLOSING when the server sent CLOSE, CLOSED when the socket
 * is closing or closed or a fatal error was sent), the handshake timeout, heartbeats, closing and
 * fatal errors. It decides which frames are legal in which state (3.2) and hands each legal one to
 * the part that acts on it: {@link Handshake}, {@link AdminRequests}, {@link PublishPath} with its
 * {@link ConfirmTracker}, {@link Subscriptions} with the {@link UnackedLedger}, and
 * {@link FlowControl}; all of them write through one {@link ClientProxy}. {@link ConnectionDeadlines}
 * bounds what the connection may hold and for how long (incomplete frames, a client that does not
 * read, deliveries never acknowledged).
 *
 * <p>Owned by the channel's event loop, so it needs no locks: every method runs there, except
 * {@link #memoryAlarmChanged}, {@link #shutdown} and {@link #forceClose}, which any thread may call
 * and which hand their work to the loop.
 */
public final class Session implements ConnectionSource {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** How long a fatal ERROR may take to be written before the socket is closed anyway. */
    private static final long FATAL_WRITE_GRACE_MILLIS = 1000;
    private static final RateLimitedLog INTERNAL_ERRORS = RateLimitedLog.every(LOG);

    enum State { AWAIT_HELLO, AWAIT_AUTH, OPEN, CLOSING, CLOSED }

    private final Channel channel;
    private final EventLoop loop;
    private final LoopCounters counters;
    private final BrokerContext context;
    private final BrokerConfig config;
    private final String connectionId;
    private final SocketAddress remote;
    private final ClientProxy out;
    private final Handshake handshake;
    private final TlsPeer tls;
    private final AdminRequests admin;
    private final UserRequests users;
    private final ConfirmTracker confirms;
    private final PublishPath publishing;
    private final UnackedLedger ledger;
    private final Subscriptions subscriptions;
    private final FlowControl flow;
    /** Whether this connection consumes a queue: made once, not per congested publish. */
    private final Predicate<MessageQueue> consumes;
    private final ConnectionDeadlines deadlines;
    private final OwnerLoop ownerLoop;
    private final long connectedAt = System.currentTimeMillis();
    /** Requests started and not answered yet; frames after them wait in {@link #held}. */
    private int inFlight;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private Caller caller;
    private Topology topology;
    private boolean closeAfterConfirms;
    private State state = State.AWAIT_HELLO;
    private boolean wasOpen;
    /** Counted against the per-user and per-vhost connection limits (released at close). */
    private boolean userAdmitted;
    private ScheduledFuture<?> handshakeTimer;
    private String closeReason;

    Session(Channel channel, BrokerContext context) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.counters = context.metrics().counters(loop);
        this.context = context;
        this.config = context.config();
        this.connectionId = context.nextConnectionId();
        this.remote = channel.remoteAddress();
        this.out = new ClientProxy(channel, connectionId);
        this.tls = new TlsPeer(channel);
        this.handshake = new Handshake(out, context, channel, tls);
        this.ownerLoop = context.loops().of(loop);
        this.admin = new AdminRequests(this, out, context);
        this.users = new UserRequests(this, out, handshake, context);
        this.confirms = new ConfirmTracker(this, out);
        this.publishing = new PublishPath(this, out, handshake, confirms, context);
        this.ledger = new UnackedLedger(out, counters);
        this.subscriptions = new Subscriptions(this, out, handshake, ledger, context);
        this.flow = new FlowControl(channel, out, handshake, counters);
        this.consumes = subscriptions::consumes;
        this.deadlines = new ConnectionDeadlines(this, channel,
                (FrameDecoder) channel.pipeline().get(ServerPipeline.DECODER), context, flow, ledger, subscriptions);
    }

    /** The server-assigned connection id. */
    public String connectionId() {
        return connectionId;
    }

    /** The loop that owns this session. */
    EventLoop loop() {
        return loop;
    }

    /** The metrics' counters of this session's loop, which only that loop writes. */
    LoopCounters counters() {
        return counters;
    }

    /** The same loop, as the core's owner loop: pattern subscriptions' queues live on it. */
    OwnerLoop ownerLoop() {
        return ownerLoop;
    }

    /** Who the core sees asking: the authenticated user, the vhost, this connection. After AUTH. */
    Caller caller() {
        return caller;
    }

    /**
     * The certificate chain the client presented in the TLS handshake, leaf first, which the configured CA
     * trusts; empty on a plaintext connection or when it presented none.
     */
    public List<X509Certificate> peerCertificates() {
        return tls.certificates();
    }

    /** The model of the session's virtual host. After AUTH. */
    Topology topology() {
        return topology;
    }

    /** The {@code admin} capability is effective. */
    boolean admin() {
        return handshake.admin();
    }

    /** The channel's buffer allocator. */
    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** True when called on the loop that owns this session; any thread. */
    boolean inLoop() {
        return loop.inEventLoop();
    }

    /** OPEN: answers to requests may be written. */
    boolean isOpen() {
        return state == State.OPEN;
    }

    /** OPEN or CLOSING: confirms and deliveries may still be written. */
    boolean carriesTraffic() {
        return state == State.OPEN || state == State.CLOSING;
    }

    void opened() {
        counters.increment(LoopCounter.CONNECTIONS_OPENED);
        context.sessions().add(this);
        handshakeTimer = loop.schedule(() -> {
            if (state == State.AWAIT_HELLO || state == State.AWAIT_AUTH) {
                fatal(ErrorCode.HANDSHAKE_TIMEOUT, "handshake not completed within "
                        + config.handshakeTimeout().toMillis() + " ms");
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- inbound frames

    /** A socket read went through the decoder. */
    void afterRead() {
        deadlines.afterRead();
    }

    void onFrame(Object msg) {
        deadlines.frameRead();
        if (inFlight > 0) {
            // Frames wait for the answer to an earlier request, so that they see its effect (1.2:
            // frames are processed in order); at most one read's worth, since reading stops meanwhile.
            held.addLast(msg);
            flow.holding(true);
            return;
        }
        process(msg);
    }

    private void process(Object msg) {
        try {
            if (msg instanceof DecodeFailure failure) {
                fatal(failure.code(), failure.message());
                return;
            }
            Frame frame = (Frame) msg;
            switch (state) {
                case AWAIT_HELLO -> inHandshake(frame, FrameType.HELLO);
                case AWAIT_AUTH -> inHandshake(frame, handshake.expectedAuthFrame());
                case OPEN -> inOpen(frame);
                case CLOSING -> inClosing(frame);
                case CLOSED -> {
                }
            }
        } catch (ProtocolException e) {
            fatal(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            INTERNAL_ERRORS.error("connection {}: internal error handling {}", connectionId,
                    LogText.escape(String.valueOf(msg)), e);
            fatal(ErrorCode.INTERNAL_ERROR, "internal error: " + e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The end of a read batch: acks go to their queues, due confirms are written, one flush. */
    void readComplete() {
        publishing.flushFanout();
        ledger.flushAcks();
        confirms.flush();
        out.flush();
    }

    private void inHandshake(Frame frame, FrameType expected) {
        FrameType type = frame.type();
        if (type == FrameType.HEARTBEAT) {
            return;
        }
        if (type == FrameType.CLOSE) {
            closeReason = "client closed during handshake";
            answerClose();
            return;
        }
        if (type != expected) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, type + " is not allowed before the handshake is "
                    + "complete; expected " + expected);
        }
        if (frame instanceof Hello hello) {
            handshake.hello(hello);
            state = State.AWAIT_AUTH;
        } else if (frame instanceof Auth auth) {
            authStep(handshake.auth(auth));
        } else {
            authStep(handshake.respond((AuthResponse) frame));
        }
    }

    /**
     * A step of the login is under way (a delay after failed logins, PBKDF2 off the loop, a SCRAM step): the
     * frames after it wait; when it completes, on this loop, the connection opens (true), waits for the
     * client's AUTH_RESPONSE (false), or ends with ERROR 2006.
     */
    private void authStep(CompletableFuture<Boolean> step) {
        beginRequest();
        step.whenCompleteAsync((authenticated, failure) -> {
            try {
                if (state != State.AWAIT_AUTH) {
                    return;
                }
                if (failure == null) {
                    if (authenticated) {
                        open();
                    }
                } else if (failure instanceof ProtocolException e) {
                    fatal(e.code(), e.getMessage());
                } else {
                    INTERNAL_ERRORS.error("connection {}: internal error during login", connectionId, failure);
                    fatal(ErrorCode.INTERNAL_ERROR, "internal error: " + failure);
                }
            } finally {
                endRequest();
            }
        }, loop);
    }

    /** Authenticated: READY, the pipeline's post-handshake limits, and flow control from now on. */
    private void open() {
        long heartbeat = handshake.heartbeatMillis();
        if (context.vhosts().get(handshake.vhost()) != handshake.topology()) {
            // Deleted since the login opened it (the deletion closes only connections already open).
            fatal(ErrorCode.AUTHENTICATION_FAILED, "access to vhost '" + handshake.vhost() + "' refused: it was "
                    + "deleted during the login");
            return;
        }
        Caller authenticated = new Caller(handshake.user(), handshake.vhost(), connectionId);
        String refusal = context.limiter().admitUser(authenticated.user(), authenticated.vhost());
        if (refusal != null) {
            fatal(ErrorCode.CONNECTION_LIMIT, refusal);
            return;
        }
        userAdmitted = true;
        handshakeTimer.cancel(false);
        state = State.OPEN;
        wasOpen = true;
        caller = authenticated;
        topology = handshake.topology();
        ServerPipeline.opened(channel, config.maxFrameSize(), heartbeat);
        deadlines.start(heartbeat);
        out.write(new Ready(connectionId, heartbeat));
        LOG.info("connection {} opened from {} (client '{}', user '{}', vhost '{}', heartbeat {} ms{})", connectionId,
                remote, LogText.escape(handshake.clientName()), LogText.escape(handshake.user()),
                LogText.escape(handshake.vhost()), heartbeat, tls.secure() ? ", " + tls.describe() : "");
        if (context.memoryAlarm()) {
            flow.memoryAlarmChanged(true);
        }
    }

    private void inOpen(Frame frame) {
        switch (frame.type()) {
            case PUBLISH -> {
                flow.published();
                publishing.publish((Publish) frame);
            }
            case ACK -> {
                Ack ack = (Ack) frame;
                ledger.ack(ack.deliveryTag(), ack.multiple());
            }
            case NACK -> {
                Nack nack = (Nack) frame;
                ledger.nack(nack.deliveryTag(), nack.multiple(), nack.requeue());
            }
            case REJECT -> {
                Reject reject = (Reject) frame;
                ledger.nack(reject.deliveryTag(), false, reject.requeue());
            }
            case HEARTBEAT -> {
            }
            case CLOSE -> {
                Close close = (Close) frame;
                closeReason = "closed by client" + (close.code() == 0 ? "" : " with code " + close.code())
                        + (close.reason().isEmpty() ? "" : ": " + close.reason());
                // Everything the client sent before CLOSE is answered before CLOSE_OK (3.5): the
                // confirms that are due now, and those still waiting for a store once they come.
                confirms.flush();
                if (confirms.pending()) {
                    closeAfterConfirms = true;
                    beginRequest();
                } else {
                    answerClose();
                }
            }
            case CLOSE_OK -> throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME,
                    "CLOSE_OK received, but the server sent no CLOSE");
            case HELLO, AUTH, AUTH_RESPONSE -> throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, frame.type()
                    + " is not allowed after the handshake");
            default -> {
                if (!(frame instanceof Request request)) {
                    throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, frame.type() + " is not a client request");
                }
                request(request);
            }
        }
    }

    /** The server sent CLOSE: only CLOSE (simultaneous close) and CLOSE_OK matter; the rest is discarded. */
    private void inClosing(Frame frame) {
        if (frame.type() == FrameType.CLOSE) {
            answerClose();
        } else if (frame.type() == FrameType.CLOSE_OK) {
            state = State.CLOSED;
            channel.close();
        }
    }

    /** The last confirm that waited for a store was written: a CLOSE that waited for it is answered now. */
    void confirmsDone() {
        if (closeAfterConfirms && (state == State.OPEN || state == State.CLOSING)) {
            answerClose();
        }
    }

    /** Answers a client's CLOSE with CLOSE_OK and closes the socket once it is written. */
    private void answerClose() {
        state = State.CLOSED;
        out.writeAndClose(CloseOk.INSTANCE);
    }

    /**
     * A request (PROTOCOL.md 1.7): one with request id 0 is not executed; a refusal that does not
     * close the connection is the request's answer, ERROR(request_id, code).
     */
    private void request(Request request) {
        long requestId = request.requestId();
        if (requestId == 0) {
            out.error(ErrorCode.INVALID_ARGUMENT, request.type()
                    + " needs a request id greater than 0; the request was not executed");
            return;
        }
        try {
            if (request instanceof Subscribe s) {
                subscriptions.subscribe(s);
            } else if (request instanceof Cancel c) {
                subscriptions.cancel(c);
            } else if (users.handles(request)) {
                users.execute(request);
            } else {
                admin.execute(request);
            }
        } catch (ProtocolException e) {
            if (e.code().closesConnection()) {
                throw e;
            }
            out.answerError(requestId, e);
        } catch (CoreException e) {
            out.answerError(requestId, e);
        }
    }

    /**
     * Answers {@code requestId} once {@code result} completes (on this loop): with the frame
     * {@code answer} makes of its value, or with the ERROR its failure stands for. Later frames
     * wait until then.
     */
    <T> void answerWhenDone(long requestId, CompletableFuture<T> result, Function<T, Frame> answer) {
        beginRequest();
        result.whenCompleteAsync((value, failure) -> {
            try {
                if (isOpen()) {
                    if (failure == null) {
                        out.write(answer.apply(value));
                    } else {
                        out.answerError(requestId, failure);
                    }
                }
            } finally {
                endRequest();
            }
        }, loop);
    }

    /** A request whose answer comes later started: frames after it wait. */
    void beginRequest() {
        inFlight++;
    }

    /** A request started with {@link #beginRequest} was answered: the frames that waited run. On the loop. */
    void endRequest() {
        inFlight--;
        while (inFlight == 0 && !held.isEmpty()) {
            process(held.pollFirst());
        }
        if (inFlight == 0) {
            flow.holding(false);
            readComplete();
        } else {
            out.flush();
        }
    }

    // ---------------------------------------------------------------- flow control, heartbeats

    void writabilityChanged() {
        boolean writable = channel.isWritable();
        deadlines.writabilityChanged(writable);
        if (writable) {
            subscriptions.writable();
        }
        flow.writabilityChanged(writable);
    }

    /** The memory alarm was raised or cleared; any thread. */
    public void memoryAlarmChanged(boolean on) {
        flow.memoryAlarmChanged(on);
    }

    void idle(IdleStateEvent event) {
        if (event.state() == IdleState.WRITER_IDLE) {
            out.writeAndFlush(Heartbeat.INSTANCE);
        } else if (event.state() == IdleState.READER_IDLE && flow.reading()
                && !flow.resumedWithin(TimeUnit.MILLISECONDS.toNanos(2 * handshake.heartbeatMillis()))) {
            // Just after reading resumed, the idle clock still holds the pause: the client's frames are
            // waiting in the socket, not missing (PROTOCOL.md 7.8, point 6).
            fatal(ErrorCode.HEARTBEAT_TIMEOUT, "no frame received for two heartbeat intervals");
        }
    }

    // ---------------------------------------------------------------- errors and close

    void exception(Throwable cause) {
        if (closeReason == null) {
            closeReason = TlsPeer.failure(cause);
        }
        LOG.debug("connection {}: exception", connectionId, cause);
        channel.close();
    }

    /**
     * Sends a connection error and closes the socket once it is written, or after a short grace if
     * the client does not read it (3.5: the server closes at once after a fatal error).
     */
    void fatal(ErrorCode code, String message) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeReason = "error " + code.code() + " " + code.name() + ": " + message;
        out.writeAndClose(new ErrorFrame(0, code.code(), message), FATAL_WRITE_GRACE_MILLIS);
    }

    /**
     * The outgoing buffer stayed above the high watermark for {@code millis} (7.8 point 7): the
     * client does not read. ERROR(0, 2013) is queued behind what it did not read, and the socket is
     * closed now; its unacknowledged deliveries go back to their queues.
     */
    void writeTimedOut(long millis) {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            String message = "the client did not read: the outgoing buffer stayed above "
                    + BrokerConfig.KEY_WRITE_BUFFER_HIGH + " and none of it was taken for more than " + millis
                    + " ms";
            closeReason = "error " + ErrorCode.WRITE_TIMEOUT.code() + " " + ErrorCode.WRITE_TIMEOUT.name() + ": "
                    + message;
            out.writeAndFlush(new ErrorFrame(0, ErrorCode.WRITE_TIMEOUT.code(), message));
        }
        channel.close();
    }

    /** Starts a graceful close for server shutdown; any thread. */
    public void shutdown() {
        loop.execute(() -> {
            if (state == State.OPEN || state == State.AWAIT_HELLO || state == State.AWAIT_AUTH) {
                // 3.2: the server may send CLOSE in every state but CLOSED.
                state = State.CLOSING;
                closeReason = "server shutting down";
                out.writeAndFlush(new Close(ErrorCode.SERVER_SHUTDOWN.code(), "server shutting down"));
            } else if (state != State.CLOSING) {
                closeReason = closeReason == null ? "server shutting down" : closeReason;
                channel.close();
            }
        });
    }

    /**
     * Virtual host {@code vhost} is being deleted: if this connection works in it, a graceful CLOSE
     * with 1002 NOT_FOUND (PROTOCOL.md 4.41). Any thread.
     */
    public void vhostDeleted(String vhost) {
        loop.execute(() -> {
            if (caller != null && caller.vhost().equals(vhost) && state == State.OPEN) {
                state = State.CLOSING;
                closeReason = "virtual host '" + vhost + "' was deleted";
                out.writeAndFlush(new Close(ErrorCode.NOT_FOUND.code(), closeReason));
            }
        });
    }

    /**
     * Closes the connection at an administrator's request (the HTTP API's {@code DELETE /api/connections/ID}):
     * a graceful CLOSE with code 0 and {@code reason}, as at server shutdown; a connection still in its
     * handshake, or already closing, is closed at once. Any thread.
     */
    public void closeByAdministrator(String reason) {
        loop.execute(() -> {
            if (state == State.OPEN || state == State.AWAIT_HELLO || state == State.AWAIT_AUTH) {
                state = State.CLOSING;
                closeReason = "closed by an administrator: " + reason;
                out.writeAndFlush(new Close(0, reason));
            } else if (state != State.CLOSING) {
                closeReason = closeReason == null ? "closed by an administrator: " + reason : closeReason;
                channel.close();
            }
        });
    }

    /** Closes the socket now; any thread. */
    public void forceClose() {
        channel.close();
    }

    /**
     * The last PUBLISH went to these congested queues: reading stops until they clear, except for
     * queues this connection consumes from (PROTOCOL.md 7.8, point 3).
     */
    void congested(List<MessageQueue> queues) {
        flow.congested(queues, consumes);
    }

    /** The socket closed: everything the connection held goes back or away (PROTOCOL.md 3.5). */
    void closed() {
        // What this connection published and had accepted reaches its queues, closed or not.
        publishing.flushFanout();
        flow.closed();
        ledger.flushAcks();
        deadlines.closed();
        state = State.CLOSED;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        Object frame;
        while ((frame = held.pollFirst()) != null) {
            ReferenceCountUtil.release(frame);
        }
        subscriptions.connectionClosed();
        publishing.connectionClosed();
        ledger.requeueAll();
        admin.connectionClosed();
        if (userAdmitted) {
            context.limiter().releaseUser(caller.user(), caller.vhost());
        }
        counters.increment(LoopCounter.CONNECTIONS_CLOSED);
        // Last: the broker's shutdown waits for this, so everything handed to queues and the
        // topology above is queued before it closes them.
        context.sessions().remove(this);
        String reason = closeReason == null ? "connection closed by peer" : closeReason;
        // The reason may hold what the client sent (its CLOSE reason, a user name): escaped, it stays one line.
        if (wasOpen) {
            LOG.info("connection {} closed: {}", connectionId, LogText.escape(reason));
        } else {
            LOG.info("connection {} from {} closed before the handshake completed: {}", connectionId, remote,
                    LogText.escape(reason));
        }
    }

    @Override
    public ConnectionSnapshot snapshot() {
        return new ConnectionSnapshot(connectionId, "relais", ConnectionSnapshot.address(remote), handshake.user(),
                handshake.vhost(), handshake.clientName(), state.name(), connectedAt, subscriptions.count(),
                ledger.outstanding());
    }
}
