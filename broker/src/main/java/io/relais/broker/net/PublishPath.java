package io.relais.broker.net;

import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.routing.FanoutBatch;
import io.relais.broker.core.routing.Router;
import io.relais.broker.metrics.LoopCounter;
import io.relais.broker.metrics.LoopCounters;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Return;
import java.util.HashMap;
import java.util.Map;


/**
 * The publish path of one connection (PROTOCOL.md 4.22, section 6): checks a PUBLISH, routes it
 * through its exchange, offers it to the matching queues, and settles it with the
 * {@link ConfirmTracker}: exactly one CONFIRM for every {@code seq} > 0 once confirms are
 * effective, in order, a nack for every refusal that names a {@code seq}; RETURN for an unroutable
 * mandatory message; DISK_FULL, before anything is written, for a message that a durable queue would
 * store (persistent or not) while the disk alarm is raised. A message taken by a congested queue
 * stops the connection's reading ({@link FlowControl}). The two refusals that cannot be confirmed ({@code seq} > 0 without the
 * {@code confirms} capability, a {@code seq} that does not increase) and every refusal with
 * {@code seq} 0 are reported with ERROR(0, code). The only class of this package that routes and
 * enqueues messages.
 *
 * <p>Messages for exclusive in-memory queues (pattern subscriptions' and the like) wait in a
 * {@link FanoutBatch} until {@link #flushFanout()}, at the end of the read batch, hands them to their
 * queues' loops: one task per loop, not one per message and queue; there a queue that keeps up
 * writes them straight to its subscriber, with the DELIVER's shared part encoded once per message
 * and loop ({@link DeliverTails}).
 *
 * <p>Owned by the channel's event loop. Per message it allocates the {@link Message} and, when its
 * confirm can be delayed, one waiter; the {@link Router} reuses its list of matching queues.
 */
final class PublishPath {
    private final ClientProxy out;
    private final Handshake handshake;
    private final ConfirmTracker confirms;
    private final BrokerContext context;
    private final Session session;
    private final LoopCounters counters;
    private final FanoutBatch fanout = new FanoutBatch(DeliverTails::clear);
    private Router router;
    /** Exchange to the publishes refused for permissions on it; made at the first refusal. */
    private Map<String, long[]> refusedPublishes;
    private long lastSeq;

    PublishPath(Session session, ClientProxy out, Handshake handshake, ConfirmTracker confirms,
                BrokerContext context) {
        this.session = session;
        this.counters = session.counters();
        this.out = out;
        this.handshake = handshake;
        this.confirms = confirms;
        this.context = context;
    }

    /** Handles one PUBLISH; the caller keeps (and releases) the frame's payload reference. */
    void publish(Publish p) {
        counters.increment(LoopCounter.PUBLISHED);
        long seq = p.seq();
        if (seq > 0) {
            if (!handshake.confirms()) {
                out.error(ErrorCode.INVALID_ARGUMENT, "publish sequence number " + seq
                        + " needs the 'confirms' capability, which this connection did not negotiate");
                return;
            }
            if (seq <= lastSeq) {
                out.error(ErrorCode.INVALID_ARGUMENT, "publish sequence number " + seq
                        + " is not greater than the previous one, " + lastSeq);
                return;
            }
            lastSeq = seq;
        }
        int flags = p.flags();
        if ((flags & Publish.MANDATORY) != 0 && !handshake.returns()) {
            refuse(seq, ErrorCode.INVALID_ARGUMENT,
                    "the mandatory flag needs the 'returns' capability, which this connection did not negotiate");
            return;
        }
        if ((flags & ~Publish.KNOWN_FLAGS) != 0) {
            refuse(seq, ErrorCode.INVALID_ARGUMENT, "unknown publish flags " + flags);
            return;
        }
        Router router = router();
        int routed;
        try {
            routed = router.route(p.exchange(), p.routingKey());
        } catch (CoreException e) {
            if (e.reason() == Reason.ACCESS_REFUSED) {
                refusedPublish(p.exchange(), e.getMessage());
            }
            refuse(seq, Reasons.code(e.reason()), e.getMessage());
            return;
        }
        if (routed == 0) {
            counters.increment(LoopCounter.UNROUTABLE);
            if ((flags & Publish.MANDATORY) != 0) {
                confirms.flush();
                out.write(new Return(seq, ErrorCode.NO_ROUTE.code(), "no queue is bound for routing key '"
                        + p.routingKey() + "'", p.exchange(), p.routingKey(), p.properties(), p.payload().retain()));
            }
            if (seq > 0) {
                confirms.ack(seq);
            }
            return;
        }
        counters.increment(LoopCounter.ROUTED);
        enqueue(router, p, seq, (flags & Publish.PERSISTENT) != 0);
    }

    /** Offers a routed message to every matching queue, then settles its confirm. */
    private void enqueue(Router router, Publish p, long seq, boolean persistent) {
        int stores = router.storingTargets();
        // Non-persistent messages are refused too: a durable queue writes them to its store as well
        // (to keep their order with persistent ones), so they would fill the disk just the same.
        if (stores > 0 && context.diskAlarm()) {
            router.clear();
            refuse(seq, ErrorCode.DISK_FULL, "the broker's disk is nearly full (below store.min-free-disk); "
                    + "messages to durable queues are refused until space is freed");
            return;
        }
        ConfirmTracker.Waiter waiter = seq > 0 ? confirms.await(seq, stores) : null;
        // The frame keeps its own reference, released by the session; the router retains one per queue.
        Message message = new WireMessage(p.exchange(), p.routingKey(), p.properties(), persistent, p.payload(),
                System.currentTimeMillis());
        router.enqueue(message, waiter);
        if (!router.congested().isEmpty()) {
            session.congested(router.congested());
        }
        String refusedBy = router.refusedBy();
        if (waiter != null) {
            waiter.notOffered(router.refusedStoring());
            waiter.offered(refusedBy != null);
        } else if (refusedBy != null) {
            refuse(seq, ErrorCode.QUEUE_FULL, "queue '" + refusedBy + "' is full");
        } else if (seq > 0) {
            confirms.ack(seq);
        }
    }

    /** The connection's router, made once the caller is known (after AUTH). */
    private Router router() {
        if (router == null) {
            router = new Router(session.topology(), session.caller(), fanout);
        }
        return router;
    }

    /**
     * Hands the messages routed to fan-out candidates since the last call to their queues; at the end
     * of every read batch, and before the connection's state goes (close).
     */
    void flushFanout() {
        fanout.flush();
    }

    /**
     * Audits a publish the permissions refused: the first one per exchange is written to the audit
     * log at once, later ones are counted and written as one line when the connection closes, so that
     * a publisher refused a million times does not write a million lines. On the refusal path only.
     */
    private void refusedPublish(String exchange, String reason) {
        if (refusedPublishes == null) {
            refusedPublishes = new HashMap<>();
        }
        long[] count = refusedPublishes.get(exchange);
        if (count == null) {
            refusedPublishes.put(exchange, new long[] {1});
            AuditLog.refused(session.caller(), "publish", "exchange '" + exchange + "'", reason);
        } else {
            count[0]++;
        }
    }

    /** The connection closed: one audit line per exchange whose publishes were refused more than once. */
    void connectionClosed() {
        if (refusedPublishes == null) {
            return;
        }
        refusedPublishes.forEach((exchange, count) -> {
            if (count[0] > 1) {
                AuditLog.refusedEvent(session.caller(), "publish", "exchange '" + exchange + "'",
                        "publishes refused on this connection, the first one logged above").put("count", count[0]).log();
            }
        });
        refusedPublishes = null;
    }

    /** A refused publish: a nack in order with the other confirms if it has a {@code seq}, else ERROR(0). */
    private void refuse(long seq, ErrorCode code, String message) {
        if (seq > 0) {
            confirms.nack(seq, code);
        } else {
            out.error(code, message);
        }
    }
}
