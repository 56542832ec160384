package io.relais.broker.net;

import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
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
 * (PROTOCOL.md 4.36-4.39), against the {@link UserDatabase}. They need the {@code admin} capability; the
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
    private final UserDatabase users;

    UserRequests(Session session, ClientProxy out, Handshake handshake, BrokerContext context) {
        this.session = session;
        this.out = out;
        this.handshake = handshake;
        this.users = context.authenticator().users();
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
        if (request instanceof UserList) {
            authorize(caller, request, "", User.MONITORING);
            List<UserInfo> list = new ArrayList<>();
            for (User u : users.list()) {
                list.add(new UserInfo(u.name(), List.copyOf(u.sortedTags()), u.loopbackOnly()));
            }
            out.write(new UserListOk(id, list));
        } else if (request instanceof UserDelete d) {
            authorize(caller, request, d.name(), null);
            session.answerWhenDone(id, users.delete(d.name(), caller.user()).thenApply(u -> {
                AuditLog.change(caller, "delete", "user", u.name()).log();
                return u;
            }), u -> new Ok(id, 0));
        } else {
            UserPut p = (UserPut) request;
            authorize(caller, request, p.name(), null);
            Set<String> tags = new LinkedHashSet<>(p.tags());
            var change = switch (p.mode()) {
                case UserPut.CREATE -> users.create(p.name(), credential(p), tags, false);
                case UserPut.SET_PASSWORD -> users.setCredential(p.name(), credential(p));
                case UserPut.SET_TAGS -> users.setTags(p.name(), tags);
                default -> throw new CoreException(Reason.INVALID_ARGUMENT, "USER_PUT mode must be 0 (create), 1 "
                        + "(password) or 2 (tags), not " + p.mode());
            };
            String action = switch (p.mode()) {
                case UserPut.CREATE -> "create";
                case UserPut.SET_PASSWORD -> "password";
                default -> "tags";
            };
            session.answerWhenDone(id, change.thenApply(u -> {
                AuditLog.change(caller, action, "user", u.name()).put("tags", String.join(",", u.sortedTags())).log();
                return u;
            }), u -> new Ok(id, 0));
        }
    }

    private void authorize(Caller caller, Request request, String target, String alsoAllowed) {
        User u = users.user(caller.user()).orElse(null);
        boolean allowed = u != null && (u.administrator() || (alsoAllowed != null && u.tags().contains(alsoAllowed)));
        if (!allowed) {
            String reason = caller.describe() + " may not " + request.type() + (target.isEmpty() ? "" : " '"
                    + target + "'") + ": only users tagged administrator" + (alsoAllowed == null ? "" : " or "
                    + alsoAllowed) + " may";
            AuditLog.refused(caller, request.type().name(), target.isEmpty() ? "users" : "user '" + target + "'",
                    reason);
            throw new ProtocolException(ErrorCode.ACCESS_REFUSED, reason);
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
