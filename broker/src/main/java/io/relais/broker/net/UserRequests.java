package io.relais.broker.net;

import io.relais.broker.admin.AdminService;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.security.User;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.UserDelete;
import io.relais.protocol.frame.UserInfo;
import io.relais.protocol.frame.UserList;
import io.relais.protocol.frame.UserListOk;
import io.relais.protocol.frame.UserPut;
import io.relais.protocol.sasl.ScramCredential;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Executes one connection's user administration requests, USER_PUT, USER_DELETE and USER_LIST
 * (PROTOCOL.md 4.36-4.39), through the {@link AdminService}. They need the {@code admin} capability; the
 * caller must be tagged {@code administrator} ({@code monitoring} suffices for USER_LIST), which is read from
 * the database at each request, so a change of tags applies at once. A refusal is ERROR(request_id, 1013
 * ACCESS_REFUSED) naming the user and the operation, recorded in the audit log; it does not close the
 * connection. Each change is written to the audit log once it is on disk.
 *
 * <p>Owned by the channel's event loop; the database's answers come back to it through
 * {@link Session#answerWhenDone}.
 */
final class UserRequests {
    private final Session session;
    private final ClientProxy out;
    private final Handshake handshake;
    private final AdminService admin;

    UserRequests(Session session, ClientProxy out, Handshake handshake, BrokerContext context) {
        this.session = session;
        this.out = out;
        this.handshake = handshake;
        this.admin = context.admin();
    }

    /** True for the requests this class executes. */
    boolean handles(Request request) {
        return request instanceof UserPut || request instanceof UserDelete || request instanceof UserList;
    }

    /**
     * Executes a user request and answers it, now or once the database has written the change.
     *
     * @throws ProtocolException 1005 without the admin capability, 1013 for a caller without the tag
     */
    void execute(Request request) {
        long id = request.requestId();
        if (!handshake.admin()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, request.type()
                    + " needs the admin capability: list it in HELLO");
        }
        Caller caller = session.caller();
        String operation = request.type().name();
        if (request instanceof UserList) {
            List<UserInfo> list = new ArrayList<>();
            for (User u : admin.users(caller, operation)) {
                list.add(new UserInfo(u.name(), List.copyOf(u.sortedTags()), u.loopbackOnly()));
            }
            out.write(new UserListOk(id, list));
        } else if (request instanceof UserDelete d) {
            session.answerWhenDone(id, admin.deleteUser(caller, operation, d.name()), u -> new Ok(id, 0));
        } else {
            UserPut p = (UserPut) request;
            // Refused before the request's fields are checked, so that a caller without the tag learns nothing.
            admin.requireUserAdministrator(caller, operation, p.name(), false);
            Set<String> tags = new LinkedHashSet<>(p.tags());
            var change = switch (p.mode()) {
                case UserPut.CREATE -> admin.createUser(caller, operation, p.name(), credential(p), tags);
                case UserPut.SET_PASSWORD -> admin.setCredential(caller, operation, p.name(), credential(p));
                case UserPut.SET_TAGS -> admin.setTags(caller, operation, p.name(), tags);
                default -> throw new CoreException(Reason.INVALID_ARGUMENT, "USER_PUT mode must be 0 (create), 1 "
                        + "(password) or 2 (tags), not " + p.mode());
            };
            session.answerWhenDone(id, change, u -> new Ok(id, 0));
        }
    }

    private static ScramCredential credential(UserPut p) {
        if (p.iterations() > Integer.MAX_VALUE) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "iterations too large: " + p.iterations());
        }
        try {
            return new ScramCredential(p.salt(), (int) p.iterations(), p.storedKey(), p.serverKey());
        } catch (IllegalArgumentException e) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "USER_PUT '" + p.name() + "': " + e.getMessage());
        }
    }
}
