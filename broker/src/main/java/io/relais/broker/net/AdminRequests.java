package io.relais.broker.net;

import io.relais.broker.queue.MessageQueue;
import io.relais.broker.routing.Topology;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Unbind;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Executes one connection's administrative requests against the topology: declare and delete
 * exchanges and queues, bind, unbind, list, purge (PROTOCOL.md 4.10-4.21). Each request gets
 * exactly one answer: its success frame here, written at once or when an operation on a queue's
 * loop completes, or an ERROR through the {@link ProtocolException} the request throws, which the
 * {@link Session} turns into the answer. The only class of this package that changes the topology
 * for a client.
 *
 * <p>Owned by the channel's event loop; completions from other loops come back to it.
 */
final class AdminRequests {
    private final Session session;
    private final ClientProxy out;
    private final Topology topology;
    private final String connectionId;

    AdminRequests(Session session, ClientProxy out, Topology topology, String connectionId) {
        this.session = session;
        this.out = out;
        this.topology = topology;
        this.connectionId = connectionId;
    }

    /**
     * Executes an administrative request and answers it, now or later.
     *
     * @throws ProtocolException when the request is refused; nothing was changed then
     */
    void execute(Request request) {
        long id = request.requestId();
        if (request instanceof ExchangeDeclare d) {
            requireNoArguments("exchange", d.arguments());
            topology.declareExchange(d.name(), d.exchangeType(), d.durable(), d.autoDelete(), d.passive());
            out.write(new Ok(id, 0));
        } else if (request instanceof ExchangeDelete d) {
            topology.deleteExchange(d.name(), d.ifUnused());
            out.write(new Ok(id, 0));
        } else if (request instanceof QueueDeclare d) {
            MessageQueue q = topology.declareQueue(d.name(), d.durable(), d.exclusive(), d.autoDelete(),
                    d.passive(), d.arguments(), connectionId, null);
            out.write(new QueueDeclareOk(id, q.name(), q.messageCount(), q.consumerCount()));
        } else if (request instanceof QueueDelete d) {
            answerLater(id, topology.deleteQueue(d.name(), d.ifUnused(), d.ifEmpty(), connectionId));
        } else if (request instanceof QueuePurge p) {
            answerLater(id, topology.accessibleQueue(p.name(), connectionId).purge());
        } else if (request instanceof Bind b) {
            requireNoArguments("binding", b.arguments());
            topology.bind(b.queue(), b.exchange(), b.pattern(), connectionId);
            out.write(new Ok(id, 0));
        } else if (request instanceof Unbind u) {
            topology.unbind(u.queue(), u.exchange(), u.pattern(), connectionId);
            out.write(new Ok(id, 0));
        } else if (request instanceof ExchangeList) {
            out.write(new ExchangeListOk(id, topology.exchangeInfos()));
        } else if (request instanceof QueueList) {
            out.write(new QueueListOk(id, topology.queueInfos()));
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, request.type() + " is not a client request");
        }
    }

    /** The connection closed: its exclusive queues go (subscription queues included). */
    void connectionClosed() {
        topology.connectionClosed(connectionId);
    }

    private static void requireNoArguments(String what, Map<String, Object> arguments) {
        if (!arguments.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, what + " arguments are not supported: "
                    + arguments.keySet());
        }
    }

    /** Answers OK(count) or ERROR when an operation on a queue's loop completes, if still open. */
    private void answerLater(long requestId, CompletableFuture<Long> result) {
        result.whenCompleteAsync((count, failure) -> {
            if (!session.isOpen()) {
                return;
            }
            if (failure == null) {
                out.write(new Ok(requestId, count));
            } else {
                out.answerError(requestId, failure);
            }
            out.flush();
        }, session.loop());
    }
}
