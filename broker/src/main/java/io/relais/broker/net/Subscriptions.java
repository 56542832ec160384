package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.LogText;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.queue.DeliverySink;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueConsumer;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.metrics.LoopCounter;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.SharedDeliver;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery path of one connection (PROTOCOL.md 4.25-4.29, section 7): SUBSCRIBE and CANCEL,
 * the connection's {@link DeliverySink} for every queue it consumes, and DELIVER with a tag from
 * the {@link UnackedLedger}. The only class of this package that adds and removes consumers.
 *
 * <p>SUBSCRIBE_OK is written before any DELIVER of its subscription (PROTOCOL.md 4.26): a consumer
 * is {@linkplain QueueConsumer#start() started}, so that its queue may deliver to it, only once its
 * SUBSCRIBE_OK is written. A CANCELLED from the queue comes after it too, since the queue's answer
 * to the new consumer reaches this loop before anything the queue does later.
 *
 * <p>It also ends a subscription whose delivery outlived the consumer timeout
 * ({@link #consumerTimedOut}, called by the {@link ConnectionDeadlines} sweep).
 *
 * <p>Owned by the channel's event loop. Queues on other loops call the {@link DeliverySink} methods;
 * their deliveries go through a mailbox drained by one task on this loop, so a burst costs one
 * hand-off, not one per message. The payload bytes in that mailbox count towards the connection's
 * high watermark ({@link #isWritable()}): a queue on another loop sees the channel writable and
 * hands over more, but the channel only counts what this loop has written, so without that count a
 * connection could be handed a whole prefetch window of large messages, queued ahead of any small
 * one. Once the mailbox is drained, the queues held back by it dispatch again.
 *
 * <p>The fan-out fast path ({@link #deliverDirect}) writes a {@link SharedDeliver} for a queue on
 * this loop, with the tag issued in write order like any other.
 */
final class Subscriptions implements DeliverySink {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
    private static final int BATCH_INITIAL = 8 * 1024;
    /** A batch of fast-path deliveries is written once it holds this much. */
    private static final int BATCH_MAX = 64 * 1024;

    /** A delivery waiting for this loop, or for its SUBSCRIBE_OK. */
    private record PendingDelivery(QueueConsumer consumer, Message message, boolean redelivered) {
    }

    private final Session session;
    private final ClientProxy out;
    private final Handshake handshake;
    private final UnackedLedger ledger;
    private final BrokerConfig config;
    private final Map<Long, QueueConsumer> active = new LinkedHashMap<>();
    private final Set<Long> pending = new HashSet<>();
    private final Queue<PendingDelivery> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Whole DELIVER frames of the fast path not written yet, or null; see {@link #deliverDirect}. */
    private ByteBuf batch;
    /** Bytes of the deliveries in {@link #inbox}: handed to this connection, not yet written. */
    private final AtomicLong pendingBytes = new AtomicLong();
    private final long writeBufferHigh;
    /** Set when {@link #isWritable()} said no because of {@link #pendingBytes}; the drain then wakes the queues. */
    private volatile boolean heldBack;

    Subscriptions(Session session, ClientProxy out, Handshake handshake, UnackedLedger ledger,
                  BrokerContext context) {
        this.session = session;
        this.out = out;
        this.handshake = handshake;
        this.ledger = ledger;
        this.config = context.config();
        this.writeBufferHigh = config.writeBufferHigh();
    }

    /** True if one of this connection's subscriptions consumes {@code queue}. */
    boolean consumes(MessageQueue queue) {
        for (QueueConsumer c : active.values()) {
            if (c.queue() == queue) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts a subscription; SUBSCRIBE_OK or ERROR follows once its queue has taken the consumer.
     *
     * @throws ProtocolException when the subscription is refused before reaching the queue
     */
    void subscribe(Subscribe s) {
        long sid = s.sid();
        if (sid == 0) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "subscription id must be greater than 0");
        }
        if (s.manualAck() && !handshake.manualAck()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT,
                    "manual acknowledgement needs the 'manual-ack' capability, which this connection did not negotiate");
        }
        if (active.containsKey(sid) || pending.contains(sid)) {
            throw new ProtocolException(ErrorCode.SUBSCRIPTION_ID_IN_USE, "subscription id " + sid + " is in use");
        }
        int max = config.securityLimits().maxSubscriptionsPerConnection();
        if (max > 0 && active.size() + pending.size() >= max) {
            throw new ProtocolException(ErrorCode.LIMIT_REACHED, "this connection is at the limit of subscriptions "
                    + "per connection (" + BrokerConfig.KEY_MAX_SUBSCRIPTIONS_PER_CONNECTION + ": " + max
                    + "); cancel one first");
        }
        int prefetch = s.prefetch() == 0 ? config.defaultPrefetch() : (int) Math.min(s.prefetch(), 1_000_000);
        boolean patternSubscription = s.queue().isEmpty();
        Caller caller = session.caller();
        Topology topology = session.topology();
        CompletableFuture<MessageQueue> queue = patternSubscription
                ? topology.subscriptionQueue(caller, sid, s.exchange(), s.pattern(), session.ownerLoop(),
                        config.maxBacklog())
                : CompletableFuture.completedFuture(topology.consumableQueue(caller, s.queue()));
        // The id is taken now: a second SUBSCRIBE with it waits behind this one and is refused.
        pending.add(sid);
        CompletableFuture<QueueConsumer> added = queue.thenCompose(q -> {
            QueueConsumer consumer = new QueueConsumer(q, this, sid, s.manualAck(), prefetch, s.exclusive());
            return q.addConsumer(consumer).handle((ok, failure) -> {
                if (failure != null) {
                    if (patternSubscription) {
                        topology.deleteQueue(caller, q.name(), false, false);
                    }
                    throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                }
                return consumer;
            });
        });
        long requestId = s.requestId();
        session.beginRequest();
        added.whenCompleteAsync((consumer, failure) -> {
            pending.remove(sid);
            if (failure != null) {
                if (session.isOpen()) {
                    out.answerError(requestId, failure);
                }
            } else if (session.isOpen()) {
                active.put(sid, consumer);
                out.write(new SubscribeOk(requestId, sid, consumer.queue().name()));
                // Only now may the queue deliver: no DELIVER overtakes the SUBSCRIBE_OK.
                consumer.start();
            } else {
                consumer.queue().removeConsumer(consumer);
            }
            session.endRequest();
        }, session.loop());
    }

    /**
     * Ends a subscription and answers OK.
     *
     * @throws ProtocolException 1002 when no subscription has that id
     */
    void cancel(Cancel c) {
        QueueConsumer consumer = active.remove(c.sid());
        if (consumer == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no subscription with id " + c.sid());
        }
        // Answered once the consumer is gone, and an auto-delete queue with it (5.2.2), so that the
        // next frame sees the queue deleted.
        long id = c.requestId();
        session.answerWhenDone(id, consumer.queue().removeConsumer(consumer), done -> new Ok(id, 0));
    }

    /**
     * True while the channel is below its high watermark and so are the deliveries handed to this
     * loop but not yet written; any thread.
     */
    @Override
    public boolean isWritable() {
        if (!out.isWritable()) {
            return false;
        }
        if (pendingBytes.get() < writeBufferHigh) {
            return true;
        }
        // Flag first, then look again: either the drain sees the flag, or this sees its decrement.
        heldBack = true;
        return pendingBytes.get() < writeBufferHigh;
    }

    @Override
    public void deliver(QueueConsumer consumer, Message message, boolean redelivered) {
        if (session.inLoop()) {
            deliverNow(consumer, message, redelivered);
        } else {
            pendingBytes.addAndGet(pendingSize(message));
            inbox.offer(new PendingDelivery(consumer, message, redelivered));
            if (drainScheduled.compareAndSet(false, true)) {
                session.loop().execute(drainTask);
            }
        }
    }

    /** What a delivery waiting in the mailbox counts for: its payload and about a DELIVER's head. */
    private static long pendingSize(Message message) {
        return message.size() + 64L;
    }

    /**
     * Small messages (payload in the shared tail) are appended to one buffer of whole DELIVER frames
     * per connection and group ({@link #writeBatch}), so that a burst is one write and one outbound
     * entry, not one per delivery; a larger one is a {@link SharedDeliver} after what is batched.
     */
    @Override
    public boolean deliverDirect(QueueConsumer consumer, Message message) {
        if (!session.inLoop() || !session.carriesTraffic() || !consumer.active()) {
            return false;
        }
        long tag = ledger.issue(consumer, message);
        WireMessage w = WireMessage.of(message);
        int flags = message.persistent() ? Deliver.PERSISTENT : 0;
        if (FrameEncoder.payloadInTail(message.size())) {
            if (batch == null) {
                batch = session.alloc().ioBuffer(BATCH_INITIAL);
                DeliverTails.batching(this);
            }
            FrameEncoder.encodeDeliverInto(consumer.sid(), tag, flags, DeliverTails.tail(w), batch);
            // The payload bytes are in the batch now: the queue's reference goes.
            message.release();
            if (batch.readableBytes() >= BATCH_MAX) {
                writeBatch();
            }
        } else {
            writeBatch();
            // The queue's reference to the payload goes to the frame, which Netty releases once encoded.
            out.write(new SharedDeliver(consumer.sid(), tag, flags, DeliverTails.retainedTail(w),
                    w.payload().duplicate()));
        }
        out.scheduleFlush();
        return true;
    }

    /** Writes the batch of small fast-path deliveries, if any; on the loop. */
    void writeBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            out.writeEncoded(b);
        }
    }

    @Override
    public void cancelled(QueueConsumer consumer, Reason reason, String message) {
        session.loop().execute(() -> {
            if (active.remove(consumer.sid(), consumer) && session.isOpen() && handshake.serverCancel()) {
                out.writeAndFlush(new Cancelled(consumer.sid(), Reasons.code(reason).code(), message));
            }
        });
    }

    /**
     * The delivery {@code tag} has been outstanding for longer than the consumer timeout (PROTOCOL.md
     * 7.9): its subscription ends, and every outstanding delivery of it goes back to its queue, flagged
     * redelivered. With {@code server-cancel} the client gets CANCELLED(sid, 1012); without it, it could
     * not learn that the subscription ended, so the connection is closed with 2011 ACK_TIMEOUT (which
     * requeues everything it held). A subscription the client cancelled already only has its deliveries
     * requeued, and a newer subscription that reuses its sid is left alone.
     */
    void consumerTimedOut(long tag, long timeoutMillis) {
        QueueConsumer consumer = ledger.consumerOf(tag);
        long sid = consumer.sid();
        if (!handshake.serverCancel()) {
            session.fatal(ErrorCode.ACK_TIMEOUT, "delivery tag " + tag + " of subscription " + sid
                    + " was not acknowledged within the consumer timeout of " + timeoutMillis + " ms, and this "
                    + "connection has no 'server-cancel' capability to be told the subscription ended");
            return;
        }
        boolean wasActive = active.remove(sid, consumer);
        if (wasActive) {
            // First, so that the queue cannot hand the requeued messages straight back to this consumer.
            consumer.queue().removeConsumer(consumer);
        }
        int requeued = ledger.requeueAllOf(consumer);
        String reason = "delivery tag " + tag + " was not acknowledged within the consumer timeout of "
                + timeoutMillis + " ms; " + requeued + " unacknowledged deliveries were requeued";
        if (wasActive) {
            out.writeAndFlush(new Cancelled(sid, ErrorCode.CONSUMER_TIMEOUT.code(), reason));
        }
        LOG.info("connection {}: subscription {} on queue '{}' {}: {}", session.connectionId(), sid,
                LogText.escape(consumer.queue().name()), wasActive ? "cancelled" : "(already cancelled)", reason);
    }

    /** The channel is writable again: every consumed queue may dispatch. */
    void writable() {
        for (QueueConsumer c : active.values()) {
            c.queue().scheduleDispatch();
        }
    }

    /** The connection closed: deliveries still arriving or held go back, consumers leave their queues. */
    void connectionClosed() {
        drain();
        for (QueueConsumer c : active.values()) {
            c.queue().removeConsumer(c);
        }
        active.clear();
    }

    private void drain() {
        drainScheduled.set(false);
        PendingDelivery d;
        long drained = 0;
        while ((d = inbox.poll()) != null) {
            drained += pendingSize(d.message());
            deliverNow(d.consumer(), d.message(), d.redelivered());
        }
        if (drained > 0) {
            // Once per drain, not per delivery: the counter's cache line is shared with the delivering loops.
            pendingBytes.addAndGet(-drained);
        }
        if (heldBack) {
            heldBack = false;
            if (out.isWritable()) {
                writable();
            }
        }
    }

    private void deliverNow(QueueConsumer consumer, Message message, boolean redelivered) {
        if (!session.carriesTraffic() || !consumer.active()) {
            consumer.queue().requeue(List.of(message), () -> consumer.settled(1));
            return;
        }
        long tag = ledger.issue(consumer, message);
        if (redelivered) {
            session.counters().increment(LoopCounter.REDELIVERED);
        }
        int flags = (redelivered ? Deliver.REDELIVERED : 0) | (message.persistent() ? Deliver.PERSISTENT : 0);
        WireMessage w = WireMessage.of(message);
        if (consumer.manualAck()) {
            out.write(new Deliver(consumer.sid(), tag, flags, w.exchange(), w.routingKey(), w.properties(),
                    w.payload().retainedDuplicate()));
        } else {
            out.write(new Deliver(consumer.sid(), tag, flags, w.exchange(), w.routingKey(), w.properties(),
                    w.payload().duplicate()));
            consumer.settled(1);
        }
        out.scheduleFlush();
    }

    /** Subscriptions in use. */
    int count() {
        return active.size();
    }
}
