package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.relais.broker.queue.Message;
import io.relais.broker.queue.MessageQueue;
import io.relais.broker.routing.Exchange;
import io.relais.broker.routing.TopicPattern;
import io.relais.broker.routing.Topology;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Return;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The publish path of one connection (PROTOCOL.md 4.22, section 6): checks a PUBLISH, routes it
 * through its exchange, offers it to the matching queues, and settles it with the
 * {@link ConfirmTracker}: exactly one CONFIRM for every {@code seq} > 0 once confirms are
 * effective, in order, a nack for every refusal that names a {@code seq}; RETURN for an unroutable
 * mandatory message. The two refusals that cannot be confirmed ({@code seq} > 0 without the
 * {@code confirms} capability, a {@code seq} that does not increase) and every refusal with
 * {@code seq} 0 are reported with ERROR(0, code). The only class of this package that routes and
 * enqueues messages.
 *
 * <p>Owned by the channel's event loop. Per message it allocates the {@link Message} and, when its
 * confirm can be delayed, one waiter; the list of matching queues is reused.
 */
final class PublishPath {
    private final ClientProxy out;
    private final Handshake handshake;
    private final ConfirmTracker confirms;
    private final BrokerContext context;
    private final Topology topology;
    private final List<MessageQueue> routeTargets = new ArrayList<>();
    private final Consumer<MessageQueue> routeCollector = routeTargets::add;
    private long lastSeq;

    PublishPath(ClientProxy out, Handshake handshake, ConfirmTracker confirms, BrokerContext context) {
        this.out = out;
        this.handshake = handshake;
        this.confirms = confirms;
        this.context = context;
        this.topology = context.topology();
    }

    /** Handles one PUBLISH; the caller keeps (and releases) the frame's payload reference. */
    void publish(Publish p) {
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
        Exchange exchange = topology.exchange(p.exchange());
        if (exchange == null) {
            refuse(seq, ErrorCode.NOT_FOUND, "no exchange '" + p.exchange() + "'");
            return;
        }
        String keyError = TopicPattern.validateRoutingKey(p.routingKey());
        if (keyError != null) {
            refuse(seq, ErrorCode.INVALID_ARGUMENT, keyError);
            return;
        }
        routeTargets.clear();
        exchange.route(p.routingKey(), routeCollector);
        if (routeTargets.isEmpty()) {
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
        enqueue(p, seq, (flags & Publish.PERSISTENT) != 0);
    }

    /** Offers a routed message to every matching queue, then settles its confirm. */
    private void enqueue(Publish p, long seq, boolean persistent) {
        int stores = 0;
        for (int i = 0; i < routeTargets.size(); i++) {
            if (routeTargets.get(i).storesMessages()) {
                stores++;
            }
        }
        if (stores > 0 && persistent && context.diskAlarm()) {
            routeTargets.clear();
            refuse(seq, ErrorCode.DISK_FULL, "the broker's disk is nearly full (below store.min-free-disk); "
                    + "persistent messages to durable queues are refused until space is freed");
            return;
        }
        ConfirmTracker.Waiter waiter = seq > 0 ? confirms.await(seq, stores) : null;
        ByteBuf payload = p.payload();
        Message message = new Message(p.exchange(), p.routingKey(), p.properties(), persistent, payload,
                System.currentTimeMillis());
        payload.retain(routeTargets.size());
        MessageQueue refusedBy = null;
        for (int i = 0; i < routeTargets.size(); i++) {
            MessageQueue q = routeTargets.get(i);
            boolean stored = q.storesMessages();
            if (!q.enqueue(message, stored ? waiter : null)) {
                payload.release();
                refusedBy = q;
                if (stored && waiter != null) {
                    waiter.notOffered();
                }
            }
        }
        routeTargets.clear();
        if (waiter != null) {
            waiter.offered(refusedBy != null);
        } else if (refusedBy != null) {
            refuse(seq, ErrorCode.QUEUE_FULL, "queue '" + refusedBy.name() + "' is full");
        } else if (seq > 0) {
            confirms.ack(seq);
        }
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
