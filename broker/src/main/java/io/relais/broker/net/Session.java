package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.manage.ConnectionSnapshot;
import io.relais.broker.core.manage.ConnectionSource;
import io.relais.broker.core.manage.ExchangeSnapshot;
import io.relais.broker.core.manage.QueueSnapshot;
import io.relais.broker.core.queue.DeliverySink;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueConsumer;
import io.relais.broker.core.queue.StoreWaiter;
import io.relais.broker.core.routing.Router;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.frame.*;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the protocol state machine, its subscriptions and its unacknowledged
 * deliveries.
 *
 * <p>Owned by the channel's event loop: every method except {@link #deliver},
 * {@link #cancelled}, {@link #isWritable}, {@link #memoryAlarmChanged} and {@link #shutdown} must
 * run there; those five hand their work to the loop. States: AWAIT_HELLO, AWAIT_AUTH, OPEN,
 * CLOSING (we sent CLOSE), CLOSED (socket closing or closed, or a fatal error was sent).
 */
public final class Session implements DeliverySink, ConnectionSource {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    enum State { AWAIT_HELLO, AWAIT_AUTH, OPEN, CLOSING, CLOSED }

    /** A delivery to a manual-ack subscription that is not settled yet. */
    private record Unacked(QueueConsumer consumer, Message message) {
    }

    /** A delivery handed over by a queue on another event loop, waiting for this session's loop. */
    private record PendingDelivery(QueueConsumer consumer, Message message, boolean redelivered) {
    }

    /**
     * A publish whose confirm waits: for durable queues to store it, or for an earlier publish
     * that waits, since confirms go out in publish order. Durable queues count {@code remaining}
     * down on their loops; the rest is read on this session's loop.
     */
    private final class PendingConfirm implements StoreWaiter {
        final long seq;
        final AtomicInteger remaining;
        volatile int errorCode;

        PendingConfirm(long seq, int stores) {
            this.seq = seq;
            this.remaining = new AtomicInteger(stores);
        }

        @Override
        public void stored(boolean ok) {
            if (!ok) {
                errorCode = ErrorCode.STORE_FAILED.code();
            }
            if (remaining.decrementAndGet() == 0) {
                confirmsReady();
            }
        }
    }

    private final Channel channel;
    private final EventLoop loop;
    private final BrokerContext context;
    private final BrokerConfig config;
    private final Topology topology;
    private final String connectionId;
    private final SocketAddress remote;
    private State state = State.AWAIT_HELLO;
    private String clientName = "";
    private java.util.Set<String> capabilities = java.util.Set.of();
    private String user = "";
    private ScheduledFuture<?> handshakeTimer;
    private String closeReason;
    private boolean handshakeDone;

    private final Map<Long, QueueConsumer> subscriptions = new LinkedHashMap<>();
    private final LongObjectMap<Unacked> unacked = new LongObjectHashMap<>();
    private long deliveryTag;
    private long ackFloor = 1;

    private final Map<MessageQueue, List<Message>> ackBatch = new java.util.IdentityHashMap<>();
    private final java.util.Queue<PendingDelivery> deliveryInbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean deliveryDrainScheduled = new AtomicBoolean();
    private final Runnable deliveryDrainTask = this::drainDeliveries;
    private final OwnerLoop ownerLoop;
    private final long connectedAt = System.currentTimeMillis();
    private Caller caller;
    private Router router;
    /** Requests started and not answered yet; frames after them wait in {@link #held}. */
    private int inFlight;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private long lastSeq;
    private long pendingAck;
    private int pendingAckCount;
    private final ArrayDeque<PendingConfirm> pendingConfirms = new ArrayDeque<>();
    private final AtomicBoolean confirmFlushScheduled = new AtomicBoolean();
    private final Runnable confirmFlushTask = this::confirmFlush;
    private boolean publisher;
    private boolean pausedForWritability;
    private boolean pausedForMemory;
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushNow;

    Session(Channel channel, BrokerContext context) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.context = context;
        this.config = context.config();
        this.topology = context.topology();
        this.connectionId = context.nextConnectionId();
        this.remote = channel.remoteAddress();
        this.ownerLoop = context.loops().of(loop);
    }

    /** The server-assigned connection id. */
    public String connectionId() {
        return connectionId;
    }

    void opened() {
        context.sessions().add(this);
        handshakeTimer = loop.schedule(() -> {
            if (state == State.AWAIT_HELLO || state == State.AWAIT_AUTH) {
                fatal(ErrorCode.HANDSHAKE_TIMEOUT, "handshake not completed within "
                        + config.handshakeTimeout().toMillis() + " ms");
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- inbound frames

    void onFrame(Object msg) {
        if (inFlight > 0) {
            // Frames wait for the answer to an earlier request, so that they see its effect; at most
            // one read's worth, since reading stops meanwhile.
            held.addLast(msg);
            updateAutoRead();
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
                case AWAIT_HELLO -> handshake(frame, FrameType.HELLO);
                case AWAIT_AUTH -> handshake(frame, FrameType.AUTH);
                case OPEN -> open(frame);
                case CLOSING -> {
                    if (frame.type() == FrameType.CLOSE_OK || frame.type() == FrameType.CLOSE) {
                        closeReason = closeReason == null ? "closed by server" : closeReason;
                        channel.close();
                    }
                }
                case CLOSED -> {
                }
            }
        } catch (ProtocolException e) {
            fatal(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("connection {}: internal error handling {}", connectionId, msg, e);
            fatal(ErrorCode.INTERNAL_ERROR, "internal error: " + e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    void readComplete() {
        flushAcks();
        flushConfirms();
        channel.flush();
    }

    /** Hands the acknowledgements of this read batch to their queues: one hand-off per queue, not per ack. */
    private void flushAcks() {
        if (ackBatch.isEmpty()) {
            return;
        }
        for (Map.Entry<MessageQueue, List<Message>> e : ackBatch.entrySet()) {
            e.getKey().acked(e.getValue());
        }
        ackBatch.clear();
    }

    private void handshake(Frame frame, FrameType expected) {
        FrameType type = frame.type();
        if (type == FrameType.HEARTBEAT) {
            return;
        }
        if (type == FrameType.CLOSE) {
            closeReason = "client closed during handshake";
            channel.writeAndFlush(CloseOk.INSTANCE).addListener(ChannelFutureListener.CLOSE);
            state = State.CLOSED;
            return;
        }
        if (type != expected) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, type + " is not allowed before the handshake is "
                    + "complete; expected " + expected);
        }
        if (frame instanceof Hello hello) {
            onHello(hello);
        } else {
            onAuth((Auth) frame);
        }
    }

    private void onHello(Hello hello) {
        if (hello.maxVersion() < ProtocolVersion.MIN_SUPPORTED || hello.minVersion() > ProtocolVersion.MAX_SUPPORTED
                || hello.minVersion() > hello.maxVersion()) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "client speaks versions " + hello.minVersion()
                    + ".." + hello.maxVersion() + "; this server speaks " + ProtocolVersion.MIN_SUPPORTED + ".."
                    + ProtocolVersion.MAX_SUPPORTED);
        }
        clientName = hello.clientName();
        java.util.Set<String> both = new java.util.HashSet<>(hello.capabilities());
        both.retainAll(ProtocolVersion.V1_CAPABILITIES);
        capabilities = java.util.Set.copyOf(both);
        long version = Math.min(hello.maxVersion(), ProtocolVersion.MAX_SUPPORTED);
        write(new Welcome(version, "relais", context.serverVersion(), ProtocolVersion.V1_CAPABILITIES,
                context.authenticator().mechanisms(), config.maxFrameSize(), config.heartbeat().toMillis()));
        state = State.AWAIT_AUTH;
    }

    private void onAuth(Auth auth) {
        user = context.authenticator().authenticate(auth.mechanism(), auth.response());
        caller = new Caller(user, Names.DEFAULT_VHOST, connectionId);
        router = new Router(topology, caller);
        long server = config.heartbeat().toMillis();
        long client = auth.heartbeatMillis();
        long heartbeat = server == 0 ? client : client == 0 ? server : Math.min(server, client);
        handshakeTimer.cancel(false);
        state = State.OPEN;
        handshakeDone = true;
        ((FrameDecoder) channel.pipeline().get(ServerPipeline.DECODER)).maxFrameSize(config.maxFrameSize());
        if (heartbeat > 0) {
            channel.pipeline().addFirst(ServerPipeline.IDLE,
                    new IdleStateHandler(2 * heartbeat, heartbeat, 0, TimeUnit.MILLISECONDS));
        }
        write(new Ready(connectionId, heartbeat));
        LOG.info("connection {} opened from {} (client '{}', user '{}', heartbeat {} ms)", connectionId, remote,
                clientName, user, heartbeat);
        if (context.memoryAlarm()) {
            memoryAlarmChanged(true);
        }
    }

    private void open(Frame frame) {
        switch (frame.type()) {
            case PUBLISH -> onPublish((Publish) frame);
            case ACK -> onAck((Ack) frame);
            case NACK -> onNack(((Nack) frame).deliveryTag(), ((Nack) frame).multiple(), ((Nack) frame).requeue());
            case REJECT -> onNack(((Reject) frame).deliveryTag(), false, ((Reject) frame).requeue());
            case HEARTBEAT -> {
            }
            case CLOSE -> {
                Close close = (Close) frame;
                closeReason = "closed by client" + (close.code() == 0 ? "" : " with code " + close.code())
                        + (close.reason().isEmpty() ? "" : ": " + close.reason());
                state = State.CLOSED;
                channel.writeAndFlush(CloseOk.INSTANCE).addListener(ChannelFutureListener.CLOSE);
            }
            case CLOSE_OK -> {
            }
            case HELLO, AUTH -> throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, frame.type()
                    + " is not allowed after the handshake");
            default -> request(frame);
        }
    }

    // ---------------------------------------------------------------- requests with a request id

    private void request(Frame frame) {
        if (!(frame instanceof Request request)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, frame.type() + " is not a client request");
        }
        long requestId = request.requestId();
        if (requestId == 0) {
            write(new ErrorFrame(0, ErrorCode.INVALID_ARGUMENT.code(), frame.type()
                    + " needs a request id greater than 0; the request was not executed"));
            return;
        }
        try {
            switch (frame.type()) {
                case EXCHANGE_DECLARE -> {
                    ExchangeDeclare d = (ExchangeDeclare) frame;
                    requireNoArguments("exchange", d.arguments());
                    answerWhenDone(requestId, topology.declareExchange(caller, d.name(), d.exchangeType(),
                            d.durable(), d.autoDelete(), d.passive()), done -> new Ok(requestId, 0));
                }
                case EXCHANGE_DELETE -> {
                    ExchangeDelete d = (ExchangeDelete) frame;
                    answerWhenDone(requestId, topology.deleteExchange(caller, d.name(), d.ifUnused()),
                            done -> new Ok(requestId, 0));
                }
                case QUEUE_DECLARE -> {
                    QueueDeclare d = (QueueDeclare) frame;
                    answerWhenDone(requestId, topology.declareQueue(caller, d.name(), d.durable(), d.exclusive(),
                            d.autoDelete(), d.passive(), d.arguments(), null),
                            q -> new QueueDeclareOk(requestId, q.name(), q.messageCount(), q.consumerCount()));
                }
                case QUEUE_DELETE -> {
                    QueueDelete d = (QueueDelete) frame;
                    answerWhenDone(requestId, topology.deleteQueue(caller, d.name(), d.ifUnused(), d.ifEmpty()),
                            n -> new Ok(requestId, n));
                }
                case QUEUE_PURGE -> answerWhenDone(requestId,
                        topology.purgeQueue(caller, ((QueuePurge) frame).name()), n -> new Ok(requestId, n));
                case BIND -> {
                    Bind b = (Bind) frame;
                    requireNoArguments("binding", b.arguments());
                    answerWhenDone(requestId, topology.bind(caller, b.queue(), b.exchange(), b.pattern()),
                            done -> new Ok(requestId, 0));
                }
                case UNBIND -> {
                    Unbind u = (Unbind) frame;
                    answerWhenDone(requestId, topology.unbind(caller, u.queue(), u.exchange(), u.pattern()),
                            done -> new Ok(requestId, 0));
                }
                case EXCHANGE_LIST -> write(new ExchangeListOk(requestId, exchangeInfos()));
                case QUEUE_LIST -> write(new QueueListOk(requestId, queueInfos()));
                case SUBSCRIBE -> onSubscribe((Subscribe) frame);
                case CANCEL -> onCancel((Cancel) frame);
                default -> throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, frame.type()
                        + " is not a client request");
            }
        } catch (ProtocolException e) {
            if (e.code().closesConnection()) {
                throw e;
            }
            write(new ErrorFrame(requestId, e.code().code(), e.getMessage()));
        } catch (CoreException e) {
            write(new ErrorFrame(requestId, Reasons.code(e.reason()).code(), e.getMessage()));
        }
    }

    private List<ExchangeInfo> exchangeInfos() {
        List<ExchangeInfo> list = new ArrayList<>();
        for (ExchangeSnapshot e : context.view().exchanges()) {
            list.add(new ExchangeInfo(e.name(), e.type(), e.durable(), e.autoDelete(), e.bindings()));
        }
        return list;
    }

    private List<QueueInfo> queueInfos() {
        List<QueueInfo> list = new ArrayList<>();
        for (QueueSnapshot q : context.view().queues()) {
            list.add(new QueueInfo(q.name(), q.durable(), q.exclusive(), q.autoDelete(), q.messages(), q.unacked(),
                    q.consumers()));
        }
        return list;
    }

    /**
     * Answers {@code requestId} once {@code result} completes (on this loop), holding later frames
     * until then so that they see the request's effect.
     */
    private <T> void answerWhenDone(long requestId, CompletableFuture<T> result, Function<T, Frame> answer) {
        inFlight++;
        result.whenCompleteAsync((value, error) -> {
            if (state == State.OPEN) {
                if (error == null) {
                    write(answer.apply(value));
                } else {
                    writeError(requestId, error);
                }
            }
            requestDone();
        }, loop);
    }

    /** A request was answered: process the frames that waited for it. On the loop. */
    private void requestDone() {
        inFlight--;
        while (inFlight == 0 && !held.isEmpty()) {
            process(held.pollFirst());
        }
        if (inFlight == 0 && state != State.CLOSED) {
            updateAutoRead();
            readComplete();
        } else {
            channel.flush();
        }
    }

    private static void requireNoArguments(String what, Map<String, Object> arguments) {
        if (!arguments.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, what + " arguments are not supported: "
                    + arguments.keySet());
        }
    }

    private void writeError(long requestId, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProtocolException pe) {
            write(new ErrorFrame(requestId, pe.code().code(), pe.getMessage()));
        } else if (cause instanceof CoreException ce) {
            write(new ErrorFrame(requestId, Reasons.code(ce.reason()).code(), ce.getMessage()));
        } else {
            LOG.error("connection {}: request {} failed", connectionId, requestId, cause);
            write(new ErrorFrame(requestId, ErrorCode.INTERNAL_ERROR.code(), "internal error: " + cause));
        }
    }

    // ---------------------------------------------------------------- publishing

    private void onPublish(Publish p) {
        long seq = p.seq();
        if (seq > 0 && !capabilities.contains(ProtocolVersion.CAP_CONFIRMS)) {
            write(new ErrorFrame(0, ErrorCode.INVALID_ARGUMENT.code(), "publish sequence number " + seq
                    + " needs the 'confirms' capability, which this connection did not negotiate"));
            return;
        }
        if ((p.flags() & Publish.MANDATORY) != 0 && !capabilities.contains(ProtocolVersion.CAP_RETURNS)) {
            write(new ErrorFrame(0, ErrorCode.INVALID_ARGUMENT.code(),
                    "the mandatory flag needs the 'returns' capability, which this connection did not negotiate"));
            return;
        }
        if (seq > 0) {
            if (seq <= lastSeq) {
                write(new ErrorFrame(0, ErrorCode.INVALID_ARGUMENT.code(), "publish sequence number " + seq
                        + " is not greater than the previous one, " + lastSeq));
                return;
            }
            lastSeq = seq;
        }
        if (!publisher) {
            publisher = true;
            updateAutoRead();
        }
        if ((p.flags() & ~Publish.KNOWN_FLAGS) != 0) {
            refusePublish(seq, ErrorCode.INVALID_ARGUMENT, "unknown publish flags " + p.flags());
            return;
        }
        int routed;
        try {
            routed = router.route(p.exchange(), p.routingKey());
        } catch (CoreException e) {
            refusePublish(seq, Reasons.code(e.reason()), e.getMessage());
            return;
        }
        if (routed == 0) {
            if ((p.flags() & Publish.MANDATORY) != 0) {
                flushConfirms();
                write(new Return(seq, ErrorCode.NO_ROUTE.code(), "no queue is bound for routing key '"
                        + p.routingKey() + "'", p.exchange(), p.routingKey(), p.properties(), p.payload().retain()));
            }
            confirm(seq);
            return;
        }
        int stores = router.storingTargets();
        boolean persistent = (p.flags() & Publish.PERSISTENT) != 0;
        if (stores > 0 && persistent && context.diskAlarm()) {
            router.clear();
            refusePublish(seq, ErrorCode.DISK_FULL, "the broker's disk is nearly full (below store.min-free-disk); "
                    + "persistent messages to durable queues are refused until space is freed");
            return;
        }
        PendingConfirm pending = null;
        if (seq > 0 && (stores > 0 || !pendingConfirms.isEmpty())) {
            pending = new PendingConfirm(seq, stores + 1);
            pendingConfirms.addLast(pending);
        }
        // The frame keeps its own reference, released after this method; the router retains one per queue.
        Message message = new WireMessage(p.exchange(), p.routingKey(), p.properties(), persistent, p.payload(),
                System.currentTimeMillis());
        router.enqueue(message, pending);
        String refusedBy = router.refusedBy();
        if (pending != null) {
            if (refusedBy != null) {
                pending.errorCode = ErrorCode.QUEUE_FULL.code();
                pending.remaining.addAndGet(-router.refusedStoring());
            }
            // The extra count held the entry open while offering; drop it now.
            pending.stored(true);
        } else if (refusedBy != null) {
            refusePublish(seq, ErrorCode.QUEUE_FULL, "queue '" + refusedBy + "' is full");
        } else {
            confirm(seq);
        }
    }

    /** Confirms {@code seq} (if > 0) in order with any confirms still waiting. */
    private void confirm(long seq) {
        if (seq <= 0) {
            return;
        }
        if (pendingConfirms.isEmpty()) {
            pendingAck = seq;
            pendingAckCount++;
        } else {
            pendingConfirms.addLast(new PendingConfirm(seq, 0));
        }
    }

    /** A durable queue finished storing a pending publish; any thread. */
    private void confirmsReady() {
        if (confirmFlushScheduled.compareAndSet(false, true)) {
            loop.execute(confirmFlushTask);
        }
    }

    private void confirmFlush() {
        confirmFlushScheduled.set(false);
        if (state == State.OPEN || state == State.CLOSING) {
            flushConfirms();
            channel.flush();
        }
    }

    /**
     * Writes the confirms that are due: the run of acknowledged publishes as one CONFIRM (multiple
     * when it covers several), and a single negative CONFIRM for each refused one, in publish order.
     */
    private void flushConfirms() {
        PendingConfirm head;
        while ((head = pendingConfirms.peekFirst()) != null && head.remaining.get() == 0) {
            pendingConfirms.pollFirst();
            if (head.errorCode == 0) {
                pendingAck = head.seq;
                pendingAckCount++;
            } else {
                writeAcks();
                write(new Confirm(head.seq, false, false, head.errorCode));
            }
        }
        writeAcks();
    }

    private void writeAcks() {
        if (pendingAckCount > 0) {
            write(new Confirm(pendingAck, true, pendingAckCount > 1, 0));
            pendingAckCount = 0;
        }
    }

    private void refusePublish(long seq, ErrorCode code, String message) {
        if (seq > 0) {
            if (pendingConfirms.isEmpty()) {
                writeAcks();
                write(new Confirm(seq, false, false, code.code()));
            } else {
                PendingConfirm refused = new PendingConfirm(seq, 0);
                refused.errorCode = code.code();
                pendingConfirms.addLast(refused);
            }
        } else {
            write(new ErrorFrame(0, code.code(), message));
        }
    }

    // ---------------------------------------------------------------- subscriptions

    private void onSubscribe(Subscribe s) {
        long sid = s.sid();
        if (sid == 0) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "subscription id must be greater than 0");
        }
        if (s.manualAck() && !capabilities.contains(ProtocolVersion.CAP_MANUAL_ACK)) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT,
                    "manual acknowledgement needs the 'manual-ack' capability, which this connection did not negotiate");
        }
        if (subscriptions.containsKey(sid)) {
            throw new ProtocolException(ErrorCode.SUBSCRIPTION_ID_IN_USE, "subscription id " + sid + " is in use");
        }
        int prefetch = s.prefetch() == 0 ? config.defaultPrefetch() : (int) Math.min(s.prefetch(), 1_000_000);
        boolean patternSubscription = s.queue().isEmpty();
        CompletableFuture<MessageQueue> queue = patternSubscription
                ? topology.subscriptionQueue(caller, sid, s.exchange(), s.pattern(), ownerLoop, config.maxBacklog())
                : CompletableFuture.completedFuture(topology.consumableQueue(caller, s.queue()));
        long requestId = s.requestId();
        // The id is taken now, so that a second SUBSCRIBE with it is refused while this one runs.
        subscriptions.put(sid, null);
        CompletableFuture<QueueConsumer> added = queue.thenCompose(q -> {
            QueueConsumer consumer = new QueueConsumer(q, this, sid, s.manualAck(), prefetch, s.exclusive());
            return q.addConsumer(consumer).handle((ok, error) -> {
                if (error != null) {
                    if (patternSubscription) {
                        topology.deleteQueue(caller, q.name(), false, false);
                    }
                    throw error instanceof CompletionException ce ? ce : new CompletionException(error);
                }
                return consumer;
            });
        });
        inFlight++;
        added.whenCompleteAsync((consumer, error) -> {
            if (error != null) {
                subscriptions.remove(sid);
                if (state == State.OPEN) {
                    writeError(requestId, error);
                }
            } else if (state == State.OPEN || state == State.CLOSING) {
                subscriptions.put(sid, consumer);
                if (state == State.OPEN) {
                    write(new SubscribeOk(requestId, sid, consumer.queue().name()));
                }
                // Only now may the queue deliver: no DELIVER overtakes the SUBSCRIBE_OK.
                consumer.start();
            } else {
                subscriptions.remove(sid);
                consumer.queue().removeConsumer(consumer);
            }
            requestDone();
        }, loop);
    }

    private void onCancel(Cancel c) {
        QueueConsumer consumer = subscriptions.remove(c.sid());
        if (consumer == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no subscription with id " + c.sid());
        }
        consumer.queue().removeConsumer(consumer);
        write(new Ok(c.requestId(), 0));
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void deliver(QueueConsumer consumer, Message message, boolean redelivered) {
        if (loop.inEventLoop()) {
            doDeliver(consumer, message, redelivered);
        } else {
            // A mailbox drained by one task: a burst from a queue costs one hand-off, not one per message.
            deliveryInbox.offer(new PendingDelivery(consumer, message, redelivered));
            if (deliveryDrainScheduled.compareAndSet(false, true)) {
                loop.execute(deliveryDrainTask);
            }
        }
    }

    private void drainDeliveries() {
        deliveryDrainScheduled.set(false);
        PendingDelivery d;
        while ((d = deliveryInbox.poll()) != null) {
            doDeliver(d.consumer(), d.message(), d.redelivered());
        }
    }

    private void doDeliver(QueueConsumer consumer, Message message, boolean redelivered) {
        if (state != State.OPEN && state != State.CLOSING || !consumer.active()) {
            consumer.settled(1);
            consumer.queue().requeue(List.of(message));
            return;
        }
        long tag = ++deliveryTag;
        int flags = (redelivered ? Deliver.REDELIVERED : 0) | (message.persistent() ? Deliver.PERSISTENT : 0);
        WireMessage w = WireMessage.of(message);
        if (consumer.manualAck()) {
            unacked.put(tag, new Unacked(consumer, message));
            channel.write(new Deliver(consumer.sid(), tag, flags, w.exchange(), w.routingKey(),
                    w.properties(), w.payload().retainedDuplicate()), channel.voidPromise());
        } else {
            channel.write(new Deliver(consumer.sid(), tag, flags, w.exchange(), w.routingKey(),
                    w.properties(), w.payload().duplicate()), channel.voidPromise());
            consumer.settled(1);
        }
        scheduleFlush();
    }

    @Override
    public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        loop.execute(() -> {
            if (subscriptions.remove(consumer.sid(), consumer) && state == State.OPEN
                    && capabilities.contains(ProtocolVersion.CAP_SERVER_CANCEL)) {
                channel.writeAndFlush(new Cancelled(consumer.sid(), Reasons.code(reason).code(), message),
                        channel.voidPromise());
            }
        });
    }

    private void onAck(Ack ack) {
        long tag = ack.deliveryTag();
        if (ack.multiple()) {
            settle(takeUpTo(tag), Outcome.ACKED);
        } else {
            Unacked u = unacked.remove(tag);
            if (u == null) {
                unknownTag(tag);
                return;
            }
            u.consumer().settled(1);
            ackBatch.computeIfAbsent(u.consumer().queue(), q -> new ArrayList<>()).add(u.message());
        }
    }

    private void onNack(long tag, boolean multiple, boolean requeue) {
        List<Unacked> settled;
        if (multiple) {
            settled = takeUpTo(tag);
        } else {
            Unacked u = unacked.remove(tag);
            if (u == null) {
                unknownTag(tag);
                return;
            }
            settled = List.of(u);
        }
        settle(settled, requeue ? Outcome.REQUEUED : Outcome.REJECTED);
    }

    /**
     * Removes and returns every outstanding delivery with a tag up to {@code tag}, in tag order; the
     * tag itself must be outstanding, otherwise nothing is settled and the client gets 1009.
     */
    private List<Unacked> takeUpTo(long tag) {
        if (!unacked.containsKey(tag)) {
            unknownTag(tag);
            return List.of();
        }
        return takeRange(tag);
    }

    private List<Unacked> takeRange(long upTo) {
        List<Unacked> list = new ArrayList<>();
        for (long t = ackFloor; t <= upTo; t++) {
            Unacked u = unacked.remove(t);
            if (u != null) {
                list.add(u);
            }
        }
        ackFloor = Math.max(ackFloor, upTo + 1);
        return list;
    }

    private enum Outcome { ACKED, REQUEUED, REJECTED }

    /** Settles deliveries, handing their messages back to their queues in one batch per queue. */
    private void settle(List<Unacked> settled, Outcome outcome) {
        if (settled.isEmpty()) {
            return;
        }
        Map<MessageQueue, List<Message>> byQueue = new LinkedHashMap<>();
        for (Unacked u : settled) {
            u.consumer().settled(1);
            byQueue.computeIfAbsent(u.consumer().queue(), q -> new ArrayList<>()).add(u.message());
        }
        byQueue.forEach((q, messages) -> {
            switch (outcome) {
                case ACKED -> q.acked(messages);
                case REQUEUED -> q.requeue(messages);
                case REJECTED -> q.rejected(messages);
            }
        });
    }

    private void unknownTag(long tag) {
        write(new ErrorFrame(0, ErrorCode.UNKNOWN_DELIVERY_TAG.code(), "delivery tag " + tag
                + " is not outstanding"));
    }

    // ---------------------------------------------------------------- flow control

    void writabilityChanged() {
        boolean writable = channel.isWritable();
        if (writable) {
            for (QueueConsumer c : subscriptions.values()) {
                if (c != null) {
                    c.queue().scheduleDispatch();
                }
            }
        }
        pausedForWritability = !writable;
        updateAutoRead();
    }

    /** The memory alarm was raised or cleared; any thread. */
    public void memoryAlarmChanged(boolean on) {
        loop.execute(() -> {
            pausedForMemory = on;
            updateAutoRead();
        });
    }

    private void updateAutoRead() {
        boolean read = inFlight == 0 && !(publisher && (pausedForWritability || pausedForMemory));
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        channel.flush();
    }

    // ---------------------------------------------------------------- heartbeats, errors, close

    void idle(IdleStateEvent event) {
        if (event.state() == IdleState.WRITER_IDLE) {
            channel.writeAndFlush(Heartbeat.INSTANCE, channel.voidPromise());
        } else if (event.state() == IdleState.READER_IDLE && channel.config().isAutoRead()) {
            fatal(ErrorCode.HEARTBEAT_TIMEOUT, "no frame received for two heartbeat intervals");
        }
    }

    void exception(Throwable cause) {
        if (closeReason == null) {
            closeReason = "I/O error: " + cause.getMessage();
        }
        LOG.debug("connection {}: exception", connectionId, cause);
        channel.close();
    }

    /** Sends a connection error and closes the socket once it is written. */
    private void fatal(ErrorCode code, String message) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeReason = "error " + code.code() + " " + code.name() + ": " + message;
        channel.writeAndFlush(new ErrorFrame(0, code.code(), message)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Starts a graceful close for server shutdown; any thread. */
    public void shutdown() {
        loop.execute(() -> {
            if (state == State.OPEN) {
                state = State.CLOSING;
                closeReason = "server shutting down";
                channel.writeAndFlush(new Close(ErrorCode.SERVER_SHUTDOWN.code(), "server shutting down"));
            } else if (state != State.CLOSING) {
                closeReason = closeReason == null ? "server shutting down" : closeReason;
                channel.close();
            }
        });
    }

    /** Closes the socket now; any thread. */
    public void forceClose() {
        channel.close();
    }

    void closed() {
        boolean wasOpen = handshakeDone;
        flushAcks();
        state = State.CLOSED;
        drainDeliveries();
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        context.sessions().remove(this);
        Object frame;
        while ((frame = held.pollFirst()) != null) {
            ReferenceCountUtil.release(frame);
        }
        for (QueueConsumer c : subscriptions.values()) {
            if (c != null) {
                c.queue().removeConsumer(c);
            }
        }
        subscriptions.clear();
        if (!unacked.isEmpty()) {
            List<Unacked> all = takeRange(deliveryTag);
            settle(all, Outcome.REQUEUED);
        }
        topology.connectionClosed(connectionId);
        String reason = closeReason == null ? "connection closed by peer" : closeReason;
        if (wasOpen) {
            LOG.info("connection {} closed: {}", connectionId, reason);
        } else {
            LOG.info("connection {} from {} closed before the handshake completed: {}", connectionId, remote, reason);
        }
    }

    @Override
    public ConnectionSnapshot snapshot() {
        return new ConnectionSnapshot(connectionId, "relais", String.valueOf(remote), user, Names.DEFAULT_VHOST,
                clientName, state.name(), connectedAt, subscriptions.size(), unacked.size());
    }

    private void write(Frame frame) {
        channel.write(frame, channel.voidPromise());
    }
}
