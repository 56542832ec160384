package io.relais.broker.net;

import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.manage.ExchangeSnapshot;
import io.relais.broker.core.manage.ManagementView;
import io.relais.broker.core.manage.QueueSnapshot;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Unbind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes one connection's administrative requests against the core: declare and delete
 * exchanges and queues, bind, unbind, purge (changes the {@link Topology} makes on its own thread,
 * answered when they complete) and list (from the {@link ManagementView}, answered at once),
 * PROTOCOL.md 4.10-4.21. Each request gets exactly one answer: its success frame, or an ERROR for
 * the refusal, which the {@link Session} writes. The only class of this package that changes the
 * topology for a client. An exclusive queue is owned by its connection's loop, as a pattern
 * subscription's is, so that its deliveries need no thread hop and can take the fan-out fast path.
 *
 * <p>Owned by the channel's event loop; completions come back to it through
 * {@link Session#answerWhenDone}.
 */
final class AdminRequests {
    private final Session session;
    private final ClientProxy out;
    private final Topology topology;
    private final ManagementView view;

    AdminRequests(Session session, ClientProxy out, BrokerContext context) {
        this.session = session;
        this.out = out;
        this.topology = context.topology();
        this.view = context.view();
    }

    /**
     * Executes an administrative request and answers it, now or when the change completes.
     *
     * @throws ProtocolException when the request is refused before reaching the core
     */
    void execute(Request request) {
        long id = request.requestId();
        if (request instanceof ExchangeDeclare d) {
            requireNoArguments("exchange", d.arguments());
            session.answerWhenDone(id, topology.declareExchange(session.caller(), d.name(), d.exchangeType(),
                    d.durable(), d.autoDelete(), d.passive()), done -> new Ok(id, 0));
        } else if (request instanceof ExchangeDelete d) {
            session.answerWhenDone(id, topology.deleteExchange(session.caller(), d.name(), d.ifUnused()),
                    done -> new Ok(id, 0));
        } else if (request instanceof QueueDeclare d) {
            OwnerLoop loop = d.exclusive() ? session.ownerLoop() : null;
            session.answerWhenDone(id, topology.declareQueue(session.caller(), d.name(), d.durable(), d.exclusive(),
                    d.autoDelete(), d.passive(), d.arguments(), loop).thenCompose(MessageQueue::applyLimits),
                    q -> new QueueDeclareOk(id, q.name(), q.messageCount(), q.consumerCount()));
        } else if (request instanceof QueueDelete d) {
            session.answerWhenDone(id, topology.deleteQueue(session.caller(), d.name(), d.ifUnused(), d.ifEmpty()),
                    n -> new Ok(id, n));
        } else if (request instanceof QueuePurge p) {
            session.answerWhenDone(id, topology.purgeQueue(session.caller(), p.name()), n -> new Ok(id, n));
        } else if (request instanceof Bind b) {
            requireNoArguments("binding", b.arguments());
            session.answerWhenDone(id, topology.bind(session.caller(), b.queue(), b.exchange(), b.pattern()),
                    done -> new Ok(id, 0));
        } else if (request instanceof Unbind u) {
            session.answerWhenDone(id, topology.unbind(session.caller(), u.queue(), u.exchange(), u.pattern()),
                    done -> new Ok(id, 0));
        } else if (request instanceof ExchangeList) {
            out.write(new ExchangeListOk(id, exchangeInfos()));
        } else if (request instanceof QueueList) {
            out.write(new QueueListOk(id, queueInfos()));
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, request.type() + " is not a client request");
        }
    }

    /** The connection closed: its exclusive queues go (subscription queues included). */
    void connectionClosed() {
        topology.connectionClosed(session.connectionId());
    }

    private List<ExchangeInfo> exchangeInfos() {
        List<ExchangeInfo> list = new ArrayList<>();
        for (ExchangeSnapshot e : view.exchanges()) {
            list.add(new ExchangeInfo(e.name(), e.type(), e.durable(), e.autoDelete(), e.bindings()));
        }
        return list;
    }

    private List<QueueInfo> queueInfos() {
        List<QueueInfo> list = new ArrayList<>();
        for (QueueSnapshot q : view.queues()) {
            list.add(new QueueInfo(q.name(), q.durable(), q.exclusive(), q.autoDelete(), q.messages(), q.unacked(),
                    q.consumers()));
        }
        return list;
    }

    private static void requireNoArguments(String what, Map<String, Object> arguments) {
        if (!arguments.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, what + " arguments are not supported: "
                    + arguments.keySet());
        }
    }
}
