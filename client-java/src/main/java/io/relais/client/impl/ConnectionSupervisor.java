package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.relais.client.ConnectionEvent;
import io.relais.client.Message;
import io.relais.client.RelaisException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a client's connection: one {@link Connection} at a time, watched for its end and, when it is
 * lost and the reconnect option is on, replaced by a new one at the times the {@link ReconnectScheduler} says.
 * A new connection is given the client's {@link DeclaredTopology} (declared again, then subscribed again,
 * firing RECONNECTED and RESUBSCRIBED), then the publishes kept meanwhile in the
 * {@link DisconnectedPublishBuffer}, and only then becomes the current one. With reconnection off, or when the
 * policy gives up, a lost connection closes the client for good.
 *
 * <p>Publishes that were waiting for a confirm when the connection was lost are not sent again: their futures
 * fail with the connection, since the broker may or may not have stored them.
 *
 * <p>Thread-safe. Publishing while connected reads two volatile fields and takes no lock; state changes
 * (connection lost, reconnected, closed) and the publish buffer are guarded by {@link #lock}. Attempts run on
 * the client's event loop group; events go to the listeners on the handler executor.
 */
final class ConnectionSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSupervisor.class);

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final ClientCallbacks callbacks;
    private final DeclaredTopology topology;
    private final ReconnectScheduler scheduler;
    private final boolean reconnects;
    private final Object lock = new Object();
    private final DisconnectedPublishBuffer buffer; // guarded by lock
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

    private volatile Connection current;
    private volatile boolean reconnecting;
    private volatile boolean closed; // written under lock
    /** The application asked to close: nothing more is buffered or reconnected. Guarded by lock. */
    private boolean closing;

    ConnectionSupervisor(ClientConfig config, EventLoopGroup group, ClientCallbacks callbacks,
            DeclaredTopology topology) {
        this.config = config;
        this.group = group;
        this.callbacks = callbacks;
        this.topology = topology;
        this.scheduler = new ReconnectScheduler(config.reconnect(), group, config.address());
        this.reconnects = scheduler.reconnects();
        this.buffer = new DisconnectedPublishBuffer(config.disconnectedPublishes(), config.disconnectedBufferSize(),
                config.address());
    }

    /** Makes {@code conn}, the client's first connection, the current one. */
    void adopt(Connection conn) {
        current = conn;
        watch(conn);
        callbacks.fire(ConnectionEvent.Type.CONNECTED, conn.connectionId(), null, 0);
    }

    private void watch(Connection conn) {
        conn.ended().thenAccept(cause -> connectionLost(conn, cause));
    }

    /** The connection to send on now, or a failure saying why there is none. */
    Connection connection() {
        Connection c = current;
        if (reconnecting) {
            throw new RelaisException(null, "not connected: reconnecting to " + config.address());
        }
        if (closed) {
            throw new RelaisException(null, "connection closed");
        }
        return c;
    }

    /** The connection in use now (perhaps lost), or null before the first; for diagnostics. */
    Connection current() {
        return current;
    }

    boolean isOpen() {
        Connection c = current;
        return !reconnecting && c != null && c.isOpen();
    }

    boolean isReconnecting() {
        return reconnecting;
    }

    /** Completes, on the handler executor, once the client is closed for good. */
    CompletableFuture<Void> closedFuture() {
        return closedFuture;
    }

    /** Publishes on the current connection, or keeps the publish for the next one while reconnecting. */
    CompletableFuture<Void> publish(Message message, boolean confirmed) {
        return OutgoingPublish.submit(message, confirmed, this::publish);
    }

    /**
     * Publishes on the current connection, or keeps the publish for the next one while reconnecting.
     *
     * @return null once handed over (its outcome is reported where it says), or why it was refused at once
     */
    RelaisException publish(OutgoingPublish p) {
        if (!reconnecting) {
            Connection c = current;
            if (c != null && c.isOpen()) {
                return c.publish(p);
            }
        }
        Connection now;
        synchronized (lock) {
            if (closed || closing || (!reconnecting && !current.isOpen() && !reconnects)) {
                return new RelaisException(null, "connection closed");
            } else if (!reconnecting && current.isOpen()) {
                now = current;
            } else {
                return buffer.offer(p);
            }
        }
        return now.publish(p);
    }

    // ---------------------------------------------------------------- losing and regaining the connection

    private void connectionLost(Connection conn, RelaisException error) {
        synchronized (lock) {
            if (closed || closing || conn != current) {
                return;
            }
            reconnecting = true;
        }
        RelaisException cause = new RelaisException(error == null ? null : error.code(), "connection "
                + conn.connectionId() + " to " + config.address() + " lost" + (error == null ? "" : ": "
                + error.getMessage()), error);
        LOG.info("{}; reconnecting", cause.getMessage());
        callbacks.fire(ConnectionEvent.Type.DISCONNECTED, conn.connectionId(), cause, 0);
        scheduleAttempt(1, cause);
    }

    private void scheduleAttempt(int attempt, RelaisException cause) {
        scheduler.schedule(attempt, cause, n -> attempt(n, cause), this::closeForGood);
    }

    private void attempt(int attempt, RelaisException cause) {
        if (closed) {
            return;
        }
        Connection.open(config, group, callbacks).whenComplete((conn, error) -> {
            if (error != null) {
                if (attempt == 1 || attempt % 10 == 0) {
                    // Seen at the default level: a broker that refuses every attempt (a vhost deleted, a password
                    // changed) would otherwise leave the application waiting without a word.
                    LOG.warn("reconnect attempt {} to {} failed: {}; trying again", attempt, config.address(),
                            error.getMessage());
                } else {
                    LOG.debug("reconnect attempt {} to {} failed: {}", attempt, config.address(), error.toString());
                }
                scheduleAttempt(attempt + 1, cause);
                return;
            }
            watch(conn);
            topology.redeclare(conn).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.warn("reconnected to {} but could not declare again what this client declared: {}",
                            config.address(), failure.toString());
                    conn.close();
                    scheduleAttempt(attempt + 1, cause);
                    return;
                }
                redeclared(conn, attempt, cause);
            });
        });
    }

    private void redeclared(Connection conn, int attempt, RelaisException cause) {
        callbacks.fire(ConnectionEvent.Type.RECONNECTED, conn.connectionId(), null, attempt);
        topology.resubscribe(conn).whenComplete((v, failure) -> {
            if (failure != null) {
                LOG.warn("reconnected to {} but a subscription could not be made again ({}); trying a new "
                        + "connection", config.address(), failure.toString());
                conn.close();
                scheduleAttempt(attempt + 1, new RelaisException(null, "resubscribe failed: " + failure, failure));
                return;
            }
            // Off the event loop: sending the buffer may wait for room in the socket.
            callbacks.execute(() -> flushAndResume(conn, attempt, cause));
        });
    }

    /** Sends the publishes buffered while disconnected, in order, then makes {@code conn} current. */
    private void flushAndResume(Connection conn, int attempt, RelaisException cause) {
        synchronized (lock) {
            if (closed) {
                conn.close();
                return;
            }
            if (conn.isOpen()) {
                buffer.sendTo(conn);
                current = conn;
                reconnecting = false;
            }
        }
        if (current != conn) { // lost again before it became current: nobody else will notice
            LOG.debug("connection {} lost during recovery", conn.connectionId());
            conn.close();
            scheduleAttempt(attempt + 1, cause);
            return;
        }
        LOG.info("reconnected to {} (connection {}, attempt {})", config.address(), conn.connectionId(), attempt);
        callbacks.fire(ConnectionEvent.Type.RESUBSCRIBED, conn.connectionId(), null, 0);
    }

    /** Ends the client: fails what waits for a reconnect, fires CLOSED, completes {@link #closedFuture()}. */
    private void closeForGood(RelaisException cause) {
        List<OutgoingPublish> dropped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            reconnecting = false;
            dropped = buffer.clear();
        }
        for (OutgoingPublish p : dropped) {
            p.failed(new RelaisException(null, cause == null ? "connection closed"
                    : "client closed before it could reconnect", cause));
        }
        if (cause != null) {
            LOG.warn("{}", cause.getMessage());
            callbacks.reportError(cause);
        }
        Connection conn = current;
        callbacks.fire(ConnectionEvent.Type.CLOSED, conn == null ? null : conn.connectionId(), cause, 0);
        callbacks.execute(() -> closedFuture.complete(null));
        callbacks.shutdown();
    }

    /** Closes the current connection gracefully, stops reconnecting, then closes for good. Idempotent. */
    CompletableFuture<Void> closeAsync() {
        Connection conn;
        synchronized (lock) {
            closing = true;
            if (closed) {
                return closedFuture;
            }
            conn = current;
        }
        if (conn == null) {
            closeForGood(null);
        } else {
            conn.close();
            conn.ended().whenComplete((v, e) -> closeForGood(null));
        }
        if (reconnecting) {
            closeForGood(null); // stop reconnect attempts at once
        }
        return closedFuture;
    }
}
