package io.relais.broker.core.access;

/**
 * Who asks the core for an operation: the authenticated principal, the virtual host it works in,
 * and the connection it came from (which owns exclusive queues). Immutable; thread-safe.
 *
 * @param user the authenticated user name; empty for anonymous
 * @param vhost the virtual host
 * @param connectionId the connection's id, unique in this broker run
 */
public record Caller(String user, String vhost, String connectionId) {
    /** For messages: {@code user 'NAME'} or {@code anonymous}. */
    public String describe() {
        return describe(user);
    }

    /** For messages about {@code user} before there is a caller: {@code user 'NAME'} or {@code anonymous}. */
    public static String describe(String user) {
        return user.isEmpty() ? "anonymous" : "user '" + user + "'";
    }
}
