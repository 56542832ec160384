package io.relais.broker.core.access;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;

/**
 * The access check the core makes before every operation: may this principal have this kind of
 * access to this resource in this virtual host? The core calls it for declare, delete, bind,
 * unbind, purge, publish and consume, whatever the front end.
 *
 * <p>{@link #PERMIT_ALL} is the only implementation until users and permissions are kept by the
 * broker. Implementations are thread-safe and fast: publish checks run once per message.
 */
public interface AccessControl {
    /** Permits everything. */
    AccessControl PERMIT_ALL = (user, vhost, kind, name, access) -> true;

    /** True if {@code user} may have {@code access} to the {@code kind} named {@code name} in {@code vhost}. */
    boolean permits(String user, String vhost, ResourceKind kind, String name, Access access);

    /**
     * Refuses with {@link Reason#ACCESS_REFUSED}, naming who was refused what, unless
     * {@link #permits} says yes.
     */
    default void check(Caller caller, ResourceKind kind, String name, Access access) {
        if (!permits(caller.user(), caller.vhost(), kind, name, access)) {
            throw new CoreException(Reason.ACCESS_REFUSED, caller.describe() + " may not " + access.word() + " "
                    + kind.word() + " '" + name + "' in vhost '" + caller.vhost() + "'");
        }
    }
}
