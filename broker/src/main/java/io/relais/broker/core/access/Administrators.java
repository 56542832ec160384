package io.relais.broker.core.access;

/**
 * Who may perform broker-wide operations (create and delete virtual hosts, set and clear
 * permissions): the users tagged {@code administrator}. The user database answers it; the broker
 * asks it on the definitions thread or a network loop, so implementations are thread-safe and do
 * no disk I/O.
 */
@FunctionalInterface
public interface Administrators {
    /** True if {@code user} has the {@code administrator} tag. */
    boolean isAdministrator(String user);
}
