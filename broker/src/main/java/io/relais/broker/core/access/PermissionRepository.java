package io.relais.broker.core.access;

import java.util.List;

/**
 * Where the permission table is kept. The store package implements it as a file of its own in the
 * data directory; {@link PermissionAccessControl} calls it on its own thread, never on a network
 * event loop.
 */
public interface PermissionRepository {
    /**
     * The table saved last, or null if none was ever saved (a first start).
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if it cannot be read
     */
    List<UserPermission> load();

    /**
     * Replaces the saved table; durable once it returns.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if it cannot be written
     */
    void save(List<UserPermission> permissions);

    /** A repository that keeps nothing: every start is a first start. */
    PermissionRepository NONE = new PermissionRepository() {
        @Override
        public List<UserPermission> load() {
            return null;
        }

        @Override
        public void save(List<UserPermission> permissions) {
        }
    };
}
