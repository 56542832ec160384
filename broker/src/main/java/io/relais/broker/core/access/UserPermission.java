package io.relais.broker.core.access;

import java.util.Objects;

/**
 * One entry of the permission table: a user's {@link Permission} in a virtual host. Immutable;
 * thread-safe.
 *
 * @param user the user name
 * @param vhost the virtual host
 * @param permission what the user may do there
 */
public record UserPermission(String user, String vhost, Permission permission) {
    public UserPermission {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(permission, "permission");
    }
}
