package io.relais.broker.security;

import java.util.Optional;

/**
 * The read side of the user database, for the parts of the broker that ask about a user: authentication,
 * and access control (is this user an administrator?). Implementations are thread-safe and answer from
 * memory without blocking, so any thread may ask, a network event loop included.
 */
public interface UserDirectory {
    /** The user of this name, if there is one. */
    Optional<User> user(String name);

    /** True when {@code name} is a user tagged {@code administrator}; false for unknown users and anonymous (""). */
    default boolean isAdministrator(String name) {
        return user(name).map(User::administrator).orElse(false);
    }
}
