package io.relais.broker.core.access;

/**
 * Told of every access a {@link PermissionAccessControl} check refuses, before the refusal is
 * thrown; the broker writes each to the audit log. Called on the thread that checks (the
 * definitions thread for declare, delete, bind, unbind, purge; a network loop for a subscription to
 * a named queue); must not throw. Publishes are not checked through it: their front end audits them
 * (the first refusal per connection and exchange, then a count).
 */
@FunctionalInterface
public interface RefusalListener {
    /** Ignores every refusal. */
    RefusalListener NONE = (caller, operation, resource, reason) -> { };

    /**
     * @param caller who was refused
     * @param operation the access refused: {@code configure}, {@code write}, {@code read},
     *     {@code topic write} or {@code topic read}
     * @param resource what it was about, e.g. {@code queue 'bob.q'}
     * @param reason the refusal's message, as the client gets it
     */
    void refused(Caller caller, String operation, String resource, String reason);
}
