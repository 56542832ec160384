package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The options of one client, as collected by {@link io.relais.client.RelaisClient.Builder}; the defaults
 * are named there. Not API: public only so that the builder in the API package can create it.
 *
 * <p>Immutable; thread-safe.
 *
 * @param handlerExecutor {@code null} for a dedicated thread per client
 * @param eventLoopGroup {@code null} for the shared default group
 */
public record ClientConfig(
        String host,
        int port,
        String username,
        String password,
        String clientName,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration heartbeat,
        Executor handlerExecutor,
        int maxUnconfirmed,
        int maxPendingDeliveries,
        EventLoopGroup eventLoopGroup) {

    /** {@code host:port}, for messages. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
