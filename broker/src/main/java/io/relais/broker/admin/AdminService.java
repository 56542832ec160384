package io.relais.broker.admin;

import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Administrators;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.PermissionAccessControl;
import io.relais.broker.core.access.UserPermission;
import io.relais.broker.core.vhost.VirtualHosts;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.protocol.sasl.ScramCredential;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The broker-wide administration both front ends execute: virtual hosts ({@link VirtualHosts}), permissions
 * ({@link PermissionAccessControl}) and users ({@link UserDatabase}). Every operation first checks its caller:
 * virtual hosts and permissions need an administrator as {@link Administrators} says; users need the
 * {@code administrator} tag in the user database, read at each call (the {@code monitoring} tag suffices to
 * list them). A refusal is a {@link CoreException} {@link Reason#ACCESS_REFUSED} naming the caller and the
 * operation, written to the audit log; each change is written to the audit log once it took effect (on disk).
 * Front ends name the operation as their clients know it ({@code VHOST_PUT} for the protocol).
 *
 * <p>Thread-safe: it holds only thread-safe parts and no state of its own; the checks run on the calling
 * thread (any, an event loop included: they read memory only), the changes on the parts' own threads, and the
 * futures complete there.
 */
public final class AdminService {
    private final VirtualHosts vhosts;
    private final PermissionAccessControl permissions;
    private final Administrators administrators;
    private final UserDatabase users;
    private final Consumer<String> closeConnectionsIn;

    /**
     * @param closeConnectionsIn closes the connections in a virtual host that is being deleted
     */
    public AdminService(VirtualHosts vhosts, PermissionAccessControl permissions, Administrators administrators,
                        UserDatabase users, Consumer<String> closeConnectionsIn) {
        this.vhosts = vhosts;
        this.permissions = permissions;
        this.administrators = administrators;
        this.users = users;
        this.closeConnectionsIn = closeConnectionsIn;
    }

    /**
     * Refuses {@code operation} to a caller that is not an administrator, as the virtual host and permission
     * operations do.
     *
     * @throws CoreException ACCESS_REFUSED, audited
     */
    public void requireAdministrator(Caller caller, String operation) {
        if (!administrators.isAdministrator(caller.user())) {
            String message = caller.describe() + " may not " + operation + ": that needs the administrator tag";
            AuditLog.refused(caller, operation.toLowerCase(Locale.ROOT), "broker", message);
            throw new CoreException(Reason.ACCESS_REFUSED, message);
        }
    }

    /**
     * Refuses {@code operation} on users to a caller not tagged administrator (nor {@code monitoring}, when
     * {@code monitoringAllowed}), as the user operations do; {@code target} is the user it concerns, or empty.
     *
     * @throws CoreException ACCESS_REFUSED, audited
     */
    public void requireUserAdministrator(Caller caller, String operation, String target, boolean monitoringAllowed) {
        User u = users.user(caller.user()).orElse(null);
        boolean allowed = u != null && (u.administrator() || (monitoringAllowed && u.tags().contains(User.MONITORING)));
        if (!allowed) {
            String reason = caller.describe() + " may not " + operation + (target.isEmpty() ? "" : " '" + target + "'")
                    + ": only users tagged administrator" + (monitoringAllowed ? " or " + User.MONITORING : "")
                    + " may";
            AuditLog.refused(caller, operation, target.isEmpty() ? "users" : "user '" + target + "'", reason);
            throw new CoreException(Reason.ACCESS_REFUSED, reason);
        }
    }

    // ------------------------------------------------------------------ virtual hosts

    /** Creates virtual host {@code name}; completes with false if it existed already. */
    public CompletableFuture<Boolean> createVhost(Caller caller, String operation, String name) {
        requireAdministrator(caller, operation);
        return vhosts.create(name).thenApply(created -> {
            if (created) {
                AuditLog.change(caller, "declare", "vhost", name).log();
            }
            return created;
        });
    }

    /** Deletes virtual host {@code name} with everything in it; its connections are closed, its permissions go. */
    public CompletableFuture<Void> deleteVhost(Caller caller, String operation, String name) {
        requireAdministrator(caller, operation);
        return vhosts.delete(name, closeConnectionsIn)
                .thenCompose(deleted -> permissions.clearVhost(name))
                .thenApply(cleared -> {
                    AuditLog.change(caller, "delete", "vhost", name).log();
                    return null;
                });
    }

    // ------------------------------------------------------------------ permissions

    /**
     * Sets (replaces) {@code user}'s permission in {@code vhost}.
     *
     * @throws CoreException NOT_FOUND for a missing vhost, INVALID_ARGUMENT for a bad user name or expression
     */
    public CompletableFuture<Void> setPermission(Caller caller, String operation, String user, String vhost,
                                                 String configure, String write, String read, String topicWrite,
                                                 String topicRead) {
        requireAdministrator(caller, operation);
        if (vhosts.get(vhost) == null) {
            throw new CoreException(Reason.NOT_FOUND, "no virtual host '" + vhost + "'");
        }
        if (user.isEmpty()) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "a user name is required");
        }
        Names.checkLength("user name", user);
        Permission permission;
        try {
            permission = new Permission(configure, write, read, topicWrite, topicRead);
        } catch (IllegalArgumentException e) {
            throw new CoreException(Reason.INVALID_ARGUMENT, e.getMessage());
        }
        return permissions.set(user, vhost, permission).thenApply(done -> {
            AuditLog.change(caller, "set", "permissions", user).put("permissions_vhost", vhost)
                    .put("configure", configure).put("write", write).put("read", read)
                    .put("topic_write", topicWrite).put("topic_read", topicRead).log();
            return done;
        });
    }

    /** Clears {@code user}'s permission in {@code vhost}; completes with false if it had none. */
    public CompletableFuture<Boolean> clearPermission(Caller caller, String operation, String user, String vhost) {
        requireAdministrator(caller, operation);
        return permissions.clear(user, vhost).thenApply(cleared -> {
            if (cleared) {
                AuditLog.change(caller, "clear", "permissions", user).put("permissions_vhost", vhost).log();
            }
            return cleared;
        });
    }

    /** The permission entries of {@code vhost}, or of all with null, sorted by vhost then user. */
    public List<UserPermission> permissions(Caller caller, String operation, String vhost) {
        requireAdministrator(caller, operation);
        return permissions.list(vhost);
    }

    // ------------------------------------------------------------------ users

    /** The users (internal ones are not listed), for an administrator or a user tagged monitoring. */
    public List<User> users(Caller caller, String operation) {
        requireUserAdministrator(caller, operation, "", true);
        return users.list();
    }

    /** Creates a user with {@code credential} and {@code tags}. */
    public CompletableFuture<User> createUser(Caller caller, String operation, String name,
                                              ScramCredential credential, Set<String> tags) {
        requireUserAdministrator(caller, operation, name, false);
        return audited(caller, "create", users.create(name, credential, tags, false));
    }

    /** Replaces a user's password (its SCRAM credential). */
    public CompletableFuture<User> setCredential(Caller caller, String operation, String name,
                                                 ScramCredential credential) {
        requireUserAdministrator(caller, operation, name, false);
        return audited(caller, "password", users.setCredential(name, credential));
    }

    /** Replaces a user's tags. */
    public CompletableFuture<User> setTags(Caller caller, String operation, String name, Set<String> tags) {
        requireUserAdministrator(caller, operation, name, false);
        return audited(caller, "tags", users.setTags(name, tags));
    }

    /** Deletes a user (not the caller itself, not the last administrator); its permissions go with it. */
    public CompletableFuture<User> deleteUser(Caller caller, String operation, String name) {
        requireUserAdministrator(caller, operation, name, false);
        return users.delete(name, caller.user()).thenApply(u -> {
            AuditLog.change(caller, "delete", "user", u.name()).log();
            return u;
        });
    }

    private static CompletableFuture<User> audited(Caller caller, String action, CompletableFuture<User> change) {
        return change.thenApply(u -> {
            AuditLog.change(caller, action, "user", u.name()).put("tags", String.join(",", u.sortedTags())).log();
            return u;
        });
    }
}
