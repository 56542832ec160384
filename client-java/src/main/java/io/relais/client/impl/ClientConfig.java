package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.relais.client.Backpressure;
import io.relais.client.DisconnectedPublishes;
import io.relais.client.ReconnectPolicy;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The options of one client, as collected by {@link io.relais.client.RelaisClient.Builder}; the defaults
 * are named there. Not API: public only so that the builder in the API package can create it.
 *
 * <p>Immutable; thread-safe.
 *
 * @param handlerExecutor {@code null} for a dedicated thread per client
 * @param eventLoopGroup the application's Netty group (the Netty opt-in), or {@code null}
 * @param ioThreads threads of an event loop group of the client's own, or 0 for the group shared by the JVM's
 *     clients; ignored when {@code eventLoopGroup} is given
 * @param reconnect when to reconnect after a loss; {@link ReconnectPolicy#disabled()} for never
 * @param disconnectedPublishes what publishes do between connections
 * @param disconnectedBufferSize most publishes kept between connections with {@code BUFFER}
 * @param backpressure what a publish does when the unconfirmed window or the send buffer is full
 * @param maxBufferedBytes bytes waiting to be written above which the socket counts as full
 * @param tls the TLS context and options, or {@code null} for a plaintext connection
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
        EventLoopGroup eventLoopGroup,
        int ioThreads,
        ReconnectPolicy reconnect,
        DisconnectedPublishes disconnectedPublishes,
        int disconnectedBufferSize,
        Backpressure backpressure,
        int maxBufferedBytes,
        ClientTls tls) {

    /** {@code host:port}, for messages. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
