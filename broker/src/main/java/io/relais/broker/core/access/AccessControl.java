package io.relais.broker.core.access;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import java.util.function.Predicate;

/**
 * The access check the core makes before every operation: may this principal have this kind of
 * access to this resource in this virtual host? The core calls it for declare, delete, bind,
 * unbind, purge, publish and consume, whatever the front end; and, for topic exchanges, asks
 * {@link #permitsTopic} about the routing key published or the binding key bound.
 *
 * <p>{@link #PERMIT_ALL} permits everything; {@link PermissionAccessControl} enforces the
 * permission table the broker keeps. Implementations are thread-safe and fast. A publisher asks once
 * per message, so it may cache the answer for an exchange while {@link #generation()} stays the same.
 */
public interface AccessControl {
    /** Permits everything. */
    AccessControl PERMIT_ALL = (user, vhost, kind, name, access) -> true;

    /** True if {@code user} may have {@code access} to the {@code kind} named {@code name} in {@code vhost}. */
    boolean permits(String user, String vhost, ResourceKind kind, String name, Access access);

    /**
     * True if {@code user}'s topic permission in {@code vhost} allows {@code key} for {@code access}
     * on the topic exchange {@code exchange}: {@link Access#WRITE} for a routing key published,
     * {@link Access#READ} for a binding key bound. True when there is no topic restriction.
     */
    default boolean permitsTopic(String user, String vhost, String exchange, String key, Access access) {
        return true;
    }

    /**
     * The topic rule of {@code user} in {@code vhost} for {@code access}, for a caller that checks many
     * keys (a publisher, per message): a test of a routing key ({@link Access#WRITE}) or binding key
     * ({@link Access#READ}), or null when nothing is restricted. Valid while {@link #generation()}
     * stays the same.
     */
    default Predicate<String> topicRule(String user, String vhost, Access access) {
        return null;
    }

    /**
     * A number that changes whenever an answer of this control may have changed (a permission was
     * set or cleared); answers cached under one generation are valid while it lasts.
     */
    default long generation() {
        return 0;
    }

    /**
     * Refuses with {@link Reason#ACCESS_REFUSED}, naming who was refused what, unless
     * {@link #permits} says yes.
     */
    default void check(Caller caller, ResourceKind kind, String name, Access access) {
        if (!permits(caller.user(), caller.vhost(), kind, name, access)) {
            throw refusal(caller, kind, name, access);
        }
    }

    /** Refuses with {@link Reason#ACCESS_REFUSED} unless {@link #permitsTopic} says yes. */
    default void checkTopic(Caller caller, String exchange, String key, Access access) {
        if (!permitsTopic(caller.user(), caller.vhost(), exchange, key, access)) {
            throw topicRefusal(caller, exchange, key, access);
        }
    }

    /** The refusal of {@code access} to a resource, naming the user, the resource and the access. */
    static CoreException refusal(Caller caller, ResourceKind kind, String name, Access access) {
        return new CoreException(Reason.ACCESS_REFUSED, caller.describe() + " may not " + access.word() + " "
                + kind.word() + " '" + name + "' in vhost '" + caller.vhost() + "'");
    }

    /** The refusal of a routing key (write) or binding key (read) on a topic exchange. */
    static CoreException topicRefusal(Caller caller, String exchange, String key, Access access) {
        String what = access == Access.WRITE ? "publish with routing key '" + key + "' to"
                : "bind with key '" + key + "' from";
        return new CoreException(Reason.ACCESS_REFUSED, caller.describe() + " may not " + what + " topic exchange '"
                + exchange + "' in vhost '" + caller.vhost() + "' (topic " + access.word() + " permission)");
    }
}
