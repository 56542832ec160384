package io.relais.broker.core.manage;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

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
    /** A peer's address as listings show it: {@code IP:PORT} for a socket, the address's own text otherwise. */
    public static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a) {
            return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
        }
        return String.valueOf(remote);
    }
}
