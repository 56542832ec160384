package io.relais.broker.net;

import io.relais.broker.admin.AdminService;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.UserPermission;
import io.relais.broker.core.manage.ExchangeSnapshot;
import io.relais.broker.core.manage.ManagementView;
import io.relais.broker.core.manage.QueueSnapshot;
import io.relais.broker.core.manage.VhostSnapshot;
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
import io.relais.protocol.frame.PermissionInfo;
import io.relais.protocol.frame.PermissionsClear;
import io.relais.protocol.frame.PermissionsList;
import io.relais.protocol.frame.PermissionsListOk;
import io.relais.protocol.frame.PermissionsSet;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Unbind;
import io.relais.protocol.frame.VhostDelete;
import io.relais.protocol.frame.VhostInfo;
import io.relais.protocol.frame.VhostList;
import io.relais.protocol.frame.VhostListOk;
import io.relais.protocol.frame.VhostPut;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes one connection's administrative requests against the core: declare and delete
 * exchanges and queues, bind, unbind, purge (changes the {@link Topology} of the connection's
 * virtual host makes on its own thread, answered when they complete) and list (from the
 * {@link ManagementView}, answered at once), PROTOCOL.md 4.10-4.21; and, for administrators, the
 * broker-wide requests on virtual hosts and permissions, PROTOCOL.md 4.40-4.47, which the
 * {@link AdminService} checks, executes and writes to the audit log. Each request gets exactly one answer: its success frame, or an ERROR for
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
    private final BrokerContext context;
    private final ManagementView view;

    AdminRequests(Session session, ClientProxy out, BrokerContext context) {
        this.session = session;
        this.out = out;
        this.context = context;
        this.view = context.view();
    }

    /**
     * Executes an administrative request and answers it, now or when the change completes.
     *
     * @throws ProtocolException when the request is refused before reaching the core
     */
    void execute(Request request) {
        long id = request.requestId();
        Topology topology = session.topology();
        if (request instanceof VhostPut || request instanceof VhostDelete || request instanceof VhostList
                || request instanceof PermissionsSet || request instanceof PermissionsClear
                || request instanceof PermissionsList) {
            manage(request);
        } else if (request instanceof ExchangeDeclare d) {
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
            out.write(new ExchangeListOk(id, exchangeInfos(topology)));
        } else if (request instanceof QueueList) {
            out.write(new QueueListOk(id, queueInfos(topology)));
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, request.type() + " is not a client request");
        }
    }

    /**
     * The broker-wide requests (PROTOCOL.md 4.40-4.47): virtual hosts and permissions, for
     * administrators only, on connections that negotiated the {@code admin} capability.
     */
    private void manage(Request request) {
        long id = request.requestId();
        Caller caller = session.caller();
        if (!session.admin()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, request.type()
                    + " needs the 'admin' capability, which this connection did not negotiate");
        }
        AdminService service = context.admin();
        String operation = request.type().name();
        if (request instanceof VhostPut v) {
            session.answerWhenDone(id, service.createVhost(caller, operation, v.name()),
                    created -> new Ok(id, created ? 1 : 0));
        } else if (request instanceof VhostDelete v) {
            session.answerWhenDone(id, service.deleteVhost(caller, operation, v.name()), done -> new Ok(id, 0));
        } else if (request instanceof VhostList) {
            service.requireAdministrator(caller, operation);
            List<VhostInfo> list = new ArrayList<>();
            for (VhostSnapshot v : view.vhosts()) {
                list.add(new VhostInfo(v.name(), v.queues(), v.connections()));
            }
            out.write(new VhostListOk(id, list));
        } else if (request instanceof PermissionsSet p) {
            session.answerWhenDone(id, service.setPermission(caller, operation, p.user(), p.vhost(), p.configure(),
                    p.write(), p.read(), p.topicWrite(), p.topicRead()), done -> new Ok(id, 0));
        } else if (request instanceof PermissionsClear p) {
            session.answerWhenDone(id, service.clearPermission(caller, operation, p.user(), p.vhost()),
                    cleared -> new Ok(id, cleared ? 1 : 0));
        } else if (request instanceof PermissionsList p) {
            List<PermissionInfo> list = new ArrayList<>();
            for (UserPermission e : service.permissions(caller, operation, p.vhost().isEmpty() ? null : p.vhost())) {
                Permission q = e.permission();
                list.add(new PermissionInfo(e.user(), e.vhost(), q.configure(), q.write(), q.read(), q.topicWrite(),
                        q.topicRead()));
            }
            out.write(new PermissionsListOk(id, list));
        }
    }

    /** The connection closed: its exclusive queues go (subscription queues included). */
    void connectionClosed() {
        Topology topology = session.topology();
        if (topology != null) {
            topology.connectionClosed(session.connectionId());
        }
    }

    private List<ExchangeInfo> exchangeInfos(Topology topology) {
        List<ExchangeInfo> list = new ArrayList<>();
        for (ExchangeSnapshot e : view.exchanges(topology)) {
            list.add(new ExchangeInfo(e.name(), e.type(), e.durable(), e.autoDelete(), e.bindings()));
        }
        return list;
    }

    private List<QueueInfo> queueInfos(Topology topology) {
        List<QueueInfo> list = new ArrayList<>();
        for (QueueSnapshot q : view.queues(topology)) {
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
