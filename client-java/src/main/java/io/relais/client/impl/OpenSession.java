package io.relais.client.impl;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Return;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of one open connection and what moves them: outstanding requests by id
 * ({@link PendingRequests}), unconfirmed publishes by seq ({@link UnconfirmedPublishes}) and subscriptions
 * by sid. Requests and publishes go out from here; answers, confirms, returns, deliveries and cancellations
 * that {@link ClientHandler} receives come in here. An answer is matched to its request by the
 * {@link Answer#requestId()} every answer frame carries.
 *
 * <p>Owned by the connection's event loop: not thread-safe, no locks; {@link ClientHandler} calls it only
 * there, and only while the connection is open (or closing, for what the broker still answers).
 */
final class OpenSession {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSession.class);

    private final ClientHandler handler;
    private final Connection connection;
    private final DeliveryDispatcher dispatcher;
    private final long requestTimeoutNanos;
    private final String requestTimeoutText;
    private final PendingRequests requests = new PendingRequests();
    private final UnconfirmedPublishes unconfirmed = new UnconfirmedPublishes();
    private final AckCoalescer acks = new AckCoalescer();
    private final Map<Long, ActiveSubscription> subscriptions = new HashMap<>();
    private final FlowClock clock;

    OpenSession(ClientHandler handler, Connection connection, DeliveryDispatcher dispatcher, ClientConfig config) {
        this.handler = handler;
        this.connection = connection;
        this.dispatcher = dispatcher;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.requestTimeoutText = Durations.format(config.requestTimeout());
        this.clock = connection.flowClock();
    }

    // ---------------------------------------------------------------- outbound

    /** Sends a request and completes {@code future} with its answer, as {@code call} reads it. */
    <T> void request(ChannelHandlerContext ctx, BrokerCall<T> call, CompletableFuture<T> future, Runnable onFailure) {
        acks.flush(ctx); // acknowledgements made before this request go out before it
        PendingRequests.Pending<T> p = new PendingRequests.Pending<>(call.description(),
                clock.now() + requestTimeoutNanos, call.reader(), future, onFailure);
        long id = requests.add(p);
        Request frame;
        try {
            frame = call.frame().apply(id);
        } catch (RuntimeException e) {
            requests.remove(id);
            p.fail(e);
            return;
        }
        // Written, not flushed: every request and publish reaches the loop through the mailbox, whose drain
        // flushes once (ClientHandler.drained), so a burst is one write to the socket.
        ctx.write(frame).addListener(w -> {
            if (!w.isSuccess() && requests.remove(id) != null) {
                p.fail(handler.sendFailure(call.description(), w.cause()));
            }
        });
    }

    /** Writes a PUBLISH; with a confirm it gets the next seq and is settled on CONFIRM. */
    void publish(ChannelHandlerContext ctx, OutgoingPublish p) {
        acks.flush(ctx); // acknowledgements made before this publish go out before it
        Message m = p.message;
        long seq = p.confirmed ? unconfirmed.add(p, clock.now() + requestTimeoutNanos) : 0;
        int flags = (m.persistent() ? Publish.PERSISTENT : 0) | (m.mandatory() ? Publish.MANDATORY : 0);
        Publish frame = new Publish(seq, m.exchange(), m.routingKey(), flags, m.properties(),
                Unpooled.wrappedBuffer(m.payload()));
        if (p.awaitsWrite()) {
            p.written(this);
            ctx.write(frame).addListener(p);
        } else {
            ctx.write(frame, ctx.voidPromise());
        }
    }

    /** The write of a PUBLISH failed; on the event loop. */
    void publishWriteFailed(OutgoingPublish p, Throwable cause) {
        RelaisException e = handler.sendFailure("PUBLISH", cause);
        if (p.confirmed) {
            unconfirmed.fail(p.wireSeq, e);
        } else {
            p.failed(e);
        }
    }

    /** A settlement made by the application: coalesced when it is an ACK of a batching subscription. */
    void settle(ChannelHandlerContext ctx, IncomingDelivery d) {
        if (d.settlement() == IncomingDelivery.Settlement.ACK && d.batchAcks() && acks.coalescing()) {
            acks.ack(d.tag());
        } else {
            acks.single(ctx, d.tag(), d.frame());
        }
    }

    /** End of a batch of settlements: the coalesced ACKs are written (the caller flushes). */
    void flushSettlements(ChannelHandlerContext ctx) {
        acks.flush(ctx);
    }

    void discardSettlements() {
        acks.discardRun();
    }

    /** The acknowledgement coalescer; for tests. */
    AckCoalescer acks() {
        return acks;
    }

    /** Registers a subscription before its SUBSCRIBE goes out, so that no delivery can miss it. */
    void addSubscription(ActiveSubscription sub) {
        subscriptions.put(sub.sid(), sub);
    }

    void removeSubscription(ActiveSubscription sub) {
        subscriptions.remove(sub.sid());
        sub.markEnded();
    }

    // ---------------------------------------------------------------- inbound

    /** An answer (OK, ERROR with a request id, a ..._OK): completes the request it names. */
    void answer(Answer answer) {
        PendingRequests.Pending<?> p = requests.remove(answer.requestId());
        if (p == null) {
            LOG.debug("{} for request {} that is not outstanding (timed out?)", answer.type(), answer.requestId());
            return;
        }
        p.complete(answer);
    }

    void confirm(Confirm c) {
        if (unconfirmed.confirm(c) == 0) {
            LOG.debug("CONFIRM for seq {} that is not outstanding (timed out?)", c.seq());
        }
    }

    void returned(Return r) {
        NoRouteException e = new NoRouteException(r.exchange(), r.routingKey(), "message to exchange '"
                + r.exchange() + "' with routing key '" + r.routingKey() + "' returned: " + r.reason());
        if (r.seq() == 0 || !unconfirmed.markReturned(r.seq(), e)) {
            connection.reportError(e);
        }
    }

    void deliver(Deliver d) {
        ActiveSubscription sub = subscriptions.get(d.sid());
        if (sub == null) {
            LOG.warn("DELIVER for unknown subscription {} (tag {}) dropped", d.sid(), d.deliveryTag());
            acks.delivered(d.deliveryTag(), null); // perhaps outstanding: no ACK with multiple may cover it
            return;
        }
        if (sub.manualAck()) {
            acks.delivered(d.deliveryTag(), sub);
        }
        IncomingDelivery delivery = new IncomingDelivery(connection, sub, d,
                ByteBufUtil.getBytes(d.payload()));
        dispatcher.dispatch(delivery);
    }

    /**
     * FLOW: the broker stopped or resumed reading from this connection. Deadlines stand still meanwhile;
     * the application hears of it as {@code BLOCKED} / {@code UNBLOCKED}.
     */
    void flow(Flow f) {
        if (f.blocked() == clock.stopped()) {
            return;
        }
        clock.brokerReading(!f.blocked());
        connection.flowChanged(f.blocked(), f.reason());
    }

    void cancelled(Cancelled c) {
        ActiveSubscription sub = subscriptions.remove(c.sid());
        if (sub == null) {
            LOG.debug("CANCELLED for unknown subscription {}", c.sid());
            return;
        }
        LOG.info("subscription {} on queue '{}' cancelled by the server: {} ({})", c.sid(), sub.queue(),
                c.reason(), c.code());
        RelaisException reason = new RelaisException(c.code(), "subscription " + c.sid() + " on queue '"
                + sub.queue() + "' cancelled by the server: " + c.reason());
        // 1012: the broker requeued the subscription's unacknowledged deliveries (PROTOCOL.md 7.9).
        boolean requeued = c.code() == ErrorCode.CONSUMER_TIMEOUT.code();
        sub.brokerCancelled(reason, requeued);
        if (requeued) {
            acks.requeued(sub);
        }
        connection.reportError(reason);
    }

    // ---------------------------------------------------------------- deadlines and the end

    /** Fails the requests and publishes whose deadline has passed (on the {@link FlowClock}). */
    void expireDeadlines() {
        long now = clock.now();
        requests.expire(now, requestTimeoutText);
        unconfirmed.expire(now, requestTimeoutText);
    }

    /** The connection has closed: fail everything outstanding and end every subscription. */
    void failAll(RelaisException failure) {
        requests.failAll(failure);
        unconfirmed.failAll(failure);
        for (ActiveSubscription s : subscriptions.values()) {
            s.markEnded();
        }
        subscriptions.clear();
    }
}
