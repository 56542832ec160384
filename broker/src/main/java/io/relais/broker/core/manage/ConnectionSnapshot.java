package io.relais.broker.core.manage;

/**
 * A client connection as the management view shows it, whatever its protocol. Immutable;
 * thread-safe.
 *
 * @param id the connection id
 * @param protocol the front end, e.g. {@code relais}
 * @param remote the peer's address
 * @param user the authenticated user; empty before authentication or for anonymous
 * @param vhost its virtual host
 * @param clientName the name the client gave
 * @param state its protocol state, e.g. {@code OPEN}
 * @param connectedAtMillis when it connected, milliseconds since the epoch
 * @param subscriptions its subscriptions
 * @param unacked deliveries to it not yet acknowledged
 */
public record ConnectionSnapshot(String id, String protocol, String remote, String user, String vhost,
                                 String clientName, String state, long connectedAtMillis, int subscriptions,
                                 long unacked) {
}
