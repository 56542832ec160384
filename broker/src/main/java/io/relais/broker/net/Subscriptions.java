package io.relais.broker.net;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.queue.DeliverySink;
import io.relais.broker.queue.Message;
import io.relais.broker.queue.MessageQueue;
import io.relais.broker.queue.QueueConsumer;
import io.relais.broker.routing.Topology;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The delivery path of one connection (PROTOCOL.md 4.25-4.29, section 7): SUBSCRIBE and CANCEL,
 * the connection's {@link DeliverySink} for every queue it consumes, and DELIVER with a tag from
 * the {@link UnackedLedger}. The only class of this package that adds and removes consumers.
 *
 * <p>SUBSCRIBE_OK is written before any DELIVER or CANCELLED of its subscription (PROTOCOL.md
 * 4.26, 7.7), whatever order the queue's answer and its first deliveries reach this loop in: until
 * it is written, the subscription's deliveries are held in arrival order, bounded by the consumer's
 * window (held deliveries are not settled, so the queue stops at the prefetch or the automatic-ack
 * window). A subscription that is never answered, because the connection left OPEN first, keeps
 * them held until the connection closes, when they go back to the queue.
 *
 * <p>Owned by the channel's event loop. Queues on other loops call the {@link DeliverySink} methods;
 * their deliveries go through a mailbox drained by one task on this loop, so a burst costs one
 * hand-off, not one per message.
 */
final class Subscriptions implements DeliverySink {
    /** A delivery waiting for this loop, or for its SUBSCRIBE_OK. */
    private record PendingDelivery(QueueConsumer consumer, Message message, boolean redelivered) {
    }

    /** What a subscription whose SUBSCRIBE_OK is not written yet has been given meanwhile. */
    private static final class Unanswered {
        final ArrayDeque<PendingDelivery> held = new ArrayDeque<>();
        Cancelled cancelled;
    }

    private final Session session;
    private final ClientProxy out;
    private final Handshake handshake;
    private final UnackedLedger ledger;
    private final Topology topology;
    private final BrokerConfig config;
    private final Map<Long, QueueConsumer> active = new LinkedHashMap<>();
    private final Map<QueueConsumer, Unanswered> unanswered = new IdentityHashMap<>();
    private final Queue<PendingDelivery> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    Subscriptions(Session session, ClientProxy out, Handshake handshake, UnackedLedger ledger,
                  BrokerContext context) {
        this.session = session;
        this.out = out;
        this.handshake = handshake;
        this.ledger = ledger;
        this.topology = context.topology();
        this.config = context.config();
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
        if (active.containsKey(sid)) {
            throw new ProtocolException(ErrorCode.SUBSCRIPTION_ID_IN_USE, "subscription id " + sid + " is in use");
        }
        String connectionId = session.connectionId();
        int prefetch = s.prefetch() == 0 ? config.defaultPrefetch() : (int) Math.min(s.prefetch(), 1_000_000);
        boolean patternSubscription = s.queue().isEmpty();
        MessageQueue queue = patternSubscription
                ? topology.subscriptionQueue(connectionId, sid, s.exchange(), s.pattern(), session.loop(),
                        config.maxBacklog())
                : topology.accessibleQueue(s.queue(), connectionId);
        QueueConsumer consumer = new QueueConsumer(queue, this, sid, s.manualAck(), prefetch, s.exclusive());
        active.put(sid, consumer);
        unanswered.put(consumer, new Unanswered());
        long requestId = s.requestId();
        queue.addConsumer(consumer).whenCompleteAsync((ok, failure) -> {
            if (failure != null) {
                active.remove(sid, consumer);
                release(unanswered.remove(consumer));
                if (patternSubscription) {
                    topology.deleteQueue(queue.name(), false, false, connectionId);
                }
                if (session.isOpen()) {
                    out.answerError(requestId, failure);
                    out.flush();
                }
            } else if (session.isOpen()) {
                out.write(new SubscribeOk(requestId, sid, queue.name()));
                answered(consumer);
                out.flush();
            }
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
        consumer.queue().removeConsumer(consumer);
        out.write(new Ok(c.requestId(), 0));
    }

    @Override
    public boolean isWritable() {
        return out.isWritable();
    }

    @Override
    public void deliver(QueueConsumer consumer, Message message, boolean redelivered) {
        if (session.inLoop()) {
            deliverNow(consumer, message, redelivered);
        } else {
            inbox.offer(new PendingDelivery(consumer, message, redelivered));
            if (drainScheduled.compareAndSet(false, true)) {
                session.loop().execute(drainTask);
            }
        }
    }

    @Override
    public void cancelled(QueueConsumer consumer, ErrorCode code, String reason) {
        session.loop().execute(() -> {
            if (active.remove(consumer.sid(), consumer) && session.isOpen() && handshake.serverCancel()) {
                Cancelled frame = new Cancelled(consumer.sid(), code.code(), reason);
                Unanswered u = unanswered.get(consumer);
                if (u == null) {
                    out.writeAndFlush(frame);
                } else {
                    u.cancelled = frame;
                }
            }
        });
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
        for (Unanswered u : unanswered.values()) {
            release(u);
        }
        unanswered.clear();
    }

    private void drain() {
        drainScheduled.set(false);
        PendingDelivery d;
        while ((d = inbox.poll()) != null) {
            deliverNow(d.consumer(), d.message(), d.redelivered());
        }
    }

    /** SUBSCRIBE_OK of {@code consumer} is written: what it was given meanwhile follows it, in order. */
    private void answered(QueueConsumer consumer) {
        Unanswered u = unanswered.remove(consumer);
        if (u == null) {
            return;
        }
        PendingDelivery d;
        while ((d = u.held.pollFirst()) != null) {
            deliverNow(d.consumer(), d.message(), d.redelivered());
        }
        if (u.cancelled != null) {
            out.write(u.cancelled);
        }
    }

    private void deliverNow(QueueConsumer consumer, Message message, boolean redelivered) {
        if (!session.carriesTraffic() || !consumer.active()) {
            consumer.settled(1);
            consumer.queue().requeue(List.of(message));
            return;
        }
        if (!unanswered.isEmpty()) {
            Unanswered u = unanswered.get(consumer);
            if (u != null) {
                u.held.addLast(new PendingDelivery(consumer, message, redelivered));
                return;
            }
        }
        long tag = ledger.issue(consumer, message);
        int flags = (redelivered ? Deliver.REDELIVERED : 0) | (message.persistent() ? Deliver.PERSISTENT : 0);
        if (consumer.manualAck()) {
            out.write(new Deliver(consumer.sid(), tag, flags, message.exchange(), message.routingKey(),
                    message.properties(), message.payload().retainedDuplicate()));
        } else {
            out.write(new Deliver(consumer.sid(), tag, flags, message.exchange(), message.routingKey(),
                    message.properties(), message.payload().duplicate()));
            consumer.settled(1);
        }
        out.scheduleFlush();
    }

    /** Gives held deliveries back to their queue. */
    private static void release(Unanswered u) {
        if (u == null || u.held.isEmpty()) {
            return;
        }
        QueueConsumer consumer = u.held.peekFirst().consumer();
        List<Message> messages = new ArrayList<>(u.held.size());
        for (PendingDelivery d : u.held) {
            messages.add(d.message());
        }
        u.held.clear();
        consumer.settled(messages.size());
        consumer.queue().requeue(messages);
    }
}
