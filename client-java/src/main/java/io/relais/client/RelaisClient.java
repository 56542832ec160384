package io.relais.client;

import io.netty.channel.EventLoopGroup;
import io.relais.client.impl.ClientConfig;
import io.relais.client.impl.ClientFacade;
import io.relais.client.impl.ClientTls;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A connection to a Relais broker: declares exchanges and queues, publishes, subscribes.
 *
 * <p><b>Lifecycle.</b> {@link #builder()} configures a client and {@link Builder#connect()} opens it: TCP
 * connect, then the HELLO / WELCOME / AUTH / READY handshake, all bounded by the connect timeout (the first
 * connection is not retried). When the connection is lost later (the broker restarts, the network fails, a
 * heartbeat times out, the broker sends a fatal error or CLOSE) the client reconnects by itself, following its
 * {@link ReconnectPolicy} (by default exponential backoff with jitter, forever): it declares again the
 * exchanges, queues and bindings it declared, subscribes again with the same handlers, then sends the
 * publishes made meanwhile ({@link Builder#whileDisconnected}). Publishes that were waiting for a confirm when
 * the connection was lost fail (they may or may not have reached the broker; they are not sent again), and
 * deliveries of the lost connection can no longer be acknowledged (the broker redelivers them). Listeners
 * added with {@link #onConnectionEvent} see every step. The client is closed for good by {@link #close()}, or
 * when the policy gives up; then {@link #isOpen()} is false and every call fails.
 *
 * <p><b>Security.</b> Plaintext by default; {@link Builder#tls} connects over TLS (1.3 or 1.2), verifying the
 * broker's certificate and host name.
 *
 * <p><b>Authentication.</b> When it presents a client certificate and the broker offers EXTERNAL, the client
 * authenticates with EXTERNAL: the certificate names the user. Otherwise it logs in with SCRAM-SHA-256
 * whenever the broker offers it (it asks for the {@code sasl} capability): the password never crosses the wire, the key derivation (PBKDF2) runs on a
 * thread of the client's own ({@code relais-client-kdf}), never on the event loop, and the client accepts the
 * connection only once the broker proved, with its SCRAM signature, that it holds the user's credentials.
 * Against a broker that offers only PLAIN it falls back to PLAIN (the password is then sent; use it over TLS
 * or loopback). A refused login fails with {@link AuthenticationException}. {@link #users()} administers the
 * broker's users; a refused operation fails with {@link AccessRefusedException}.
 *
 * <p><b>Threads.</b> One client is meant to be shared by every thread of an application; all methods are
 * thread-safe and none blocks, except {@link #publishConfirmed(Message)} when the unconfirmed window is
 * full, and {@link #close()}. Network I/O runs on an event loop thread: by default a group shared by all
 * clients of the JVM (epoll when available), created on first use from daemon threads; a client may have its
 * own ({@link Builder#ioThreads(int)}). Message handlers and
 * error listeners never run on that event loop: they run on the handler executor, by default one dedicated
 * daemon thread per client, which preserves delivery order across all subscriptions of the client.
 *
 * <p><b>Futures.</b> Every request returns a {@link CompletableFuture} that completes when the broker
 * answers, fails with {@link RelaisException} (carrying the broker's {@link RelaisException#code() error
 * code}) when it refuses, and fails with a {@code RelaisException} without code after the request timeout
 * or when the connection closes. Futures are completed on the network thread: dependent stages attached
 * with {@code thenApply}/{@code thenAccept} etc. run there too, so they must not block; use the
 * {@code ...Async} variants for work that blocks. Waiting with {@code join()} from a message handler is
 * fine.
 *
 * <p><b>Flow control.</b> At most {@link Builder#maxUnconfirmed(int)} confirmed publishes are outstanding;
 * beyond that {@link #publishConfirmed(Message)} and {@link Publisher#publish(Message)} block their caller. When more than
 * {@link Builder#maxPendingDeliveries(int)} deliveries wait for the handler executor the client stops
 * reading from the socket, so the broker keeps further messages in its queues. The broker slows publishers
 * down the same way: when a queue the client publishes into is congested (its consumers do not keep up) or
 * its memory alarm is raised, it stops reading from the connection (PROTOCOL.md 7.8) and says so; listeners
 * see {@link ConnectionEvent.Type#BLOCKED} and later {@link ConnectionEvent.Type#UNBLOCKED}. Meanwhile
 * publishes wait in the socket and the window, and their confirm and request timeouts stand still, so a
 * publisher blocked for longer than the request timeout loses nothing; deliveries keep arriving.
 */
public interface RelaisClient extends AutoCloseable {

    /** A builder with every option at its default. */
    static Builder builder() {
        return new Builder();
    }

    /** The id the broker gave this connection in READY. */
    String connectionId();

    /** Declares an exchange, or checks that an existing one has the same type and flags. */
    CompletableFuture<Void> declareExchange(String name, ExchangeType type, boolean durable, boolean autoDelete);

    /**
     * Deletes an exchange and its bindings.
     *
     * @param ifUnused fail with PRECONDITION_FAILED if it has bindings
     */
    CompletableFuture<Void> deleteExchange(String name, boolean ifUnused);

    /** Declares a queue, or checks an existing one. */
    CompletableFuture<DeclaredQueue> declareQueue(QueueDeclaration declaration);

    /**
     * Deletes a queue, its bindings and its consumers.
     *
     * @return the number of ready messages removed with it
     */
    CompletableFuture<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty);

    /**
     * Removes every ready message from a queue.
     *
     * @return the number of messages removed
     */
    CompletableFuture<Long> purgeQueue(String name);

    /** Binds a queue to an exchange ("" for the default exchange) with a pattern or key. Idempotent. */
    CompletableFuture<Void> bind(String queue, String exchange, String pattern);

    /** Removes a binding; succeeds if it does not exist. */
    CompletableFuture<Void> unbind(String queue, String exchange, String pattern);

    /** Every exchange of the broker, the default one listed with the name "". */
    CompletableFuture<List<ExchangeInfo>> listExchanges();

    /** Every queue of the broker. */
    CompletableFuture<List<QueueInfo>> listQueues();

    /**
     * The broker's users, administered over this connection: add, change the password or tags of, delete and
     * list users ({@link Users}; needs the {@code administrator} tag, else {@link AccessRefusedException}).
     */
    Users users();

    /**
     * Publishes without confirm (fire and forget). Problems the broker finds later (unknown exchange, a
     * returned mandatory message) are reported to the {@link #onError error listeners}.
     *
     * @return completes when the message has been written to the socket
     */
    CompletableFuture<Void> publish(Message message);

    /**
     * Publishes without confirm and without a future: {@link #publish(Message)} for callers that ignore its
     * future, so nothing is allocated to report an outcome. Backpressure, the reconnect buffer and the error
     * listeners work as for {@code publish}; a message that cannot be written because the connection is lost first
     * is dropped (logged at DEBUG), which is what an ignored future of {@code publish} would have said.
     *
     * @throws RelaisException when the publish is refused at once: the client is closed (or disconnected, with
     *     {@link DisconnectedPublishes#FAIL}), the message is larger than the broker accepts, or there was no room
     *     in the send buffer within the request timeout
     */
    void publishAndForget(Message message);

    /**
     * Publishes and waits for the broker's confirm. Blocks the caller while {@link Builder#maxUnconfirmed(int)}
     * confirms are outstanding, for at most the request timeout (then the future fails); never blocks when
     * called on a network thread (fails at once instead).
     *
     * @return completes when the broker has accepted the message (stored by every queue it was routed to, or
     *     routed nowhere and not mandatory); fails with {@link RelaisException} carrying the code when the
     *     broker refuses it, with {@link NoRouteException} when it was mandatory and matched no queue
     */
    CompletableFuture<Void> publishConfirmed(Message message);

    /**
     * A publisher with confirms whose outcomes go to {@code listener} by sequence number, with no future per
     * message: the fast path for high publish rates, in the manner of RabbitMQ's {@code ConfirmListener} and
     * NATS's asynchronous publish. {@link Publisher#publish(Message)} returns the message's number at once;
     * the listener is called on the network thread with {@link ConfirmListener#confirmed confirmed(seq,
     * multiple)} or {@link ConfirmListener#nacked nacked(seq, cause, multiple)}, exactly once for every publish
     * (directly or through a later {@code multiple}).
     *
     * <p>It shares the client's window of {@link Builder#maxUnconfirmed(int)} unconfirmed publishes with
     * {@link #publishConfirmed(Message)} and blocks (or fails) the same way when it is full; publishes made while
     * reconnecting are kept as {@link Builder#whileDisconnected} says, and those that were waiting for a confirm
     * when a connection was lost are reported to {@code nacked} with the cause, never sent again. Publishers are
     * cheap; a client may have any number, each with its own numbering.
     */
    Publisher publisher(ConfirmListener listener);

    /**
     * Subscribes to the messages published to {@code exchange} ("" for the default exchange) whose routing key
     * matches {@code pattern}, with automatic acknowledgement. The broker creates an exclusive, auto-delete
     * queue for the subscription, bounded to its max backlog (the oldest messages are dropped when the
     * handler cannot keep up).
     */
    default CompletableFuture<Subscription> subscribe(String exchange, String pattern, MessageHandler handler) {
        return subscribe(exchange, pattern, SubscribeOptions.defaults(), handler);
    }

    /** Like {@link #subscribe(String, String, MessageHandler)} with explicit options (e.g. manual ack). */
    CompletableFuture<Subscription> subscribe(String exchange, String pattern, SubscribeOptions options,
            MessageHandler handler);

    /** Consumes a named queue; several subscriptions on one queue share its messages round-robin. */
    CompletableFuture<Subscription> subscribeQueue(String queue, SubscribeOptions options, MessageHandler handler);

    /**
     * Adds a listener for asynchronous errors: non-fatal errors not tied to a request (ERROR with request id
     * 0, a returned message published without confirm, a subscription the broker cancelled) and the error that
     * ended the connection. Listeners run on the handler executor.
     */
    void onError(Consumer<RelaisException> listener);

    /** True while connected: from READY until the connection starts closing or is lost. */
    boolean isOpen();

    /**
     * Adds a listener for connection events: connected, disconnected, reconnected, resubscribed, closed.
     * Listeners run on the handler executor, in order.
     */
    void onConnectionEvent(Consumer<ConnectionEvent> listener);

    /**
     * Closes gracefully: sends CLOSE, waits for CLOSE_OK (at most the request timeout), closes the socket.
     * Outstanding futures fail with {@code RelaisException("connection closed")}. Idempotent: every call
     * returns the same future.
     */
    CompletableFuture<Void> closeAsync();

    /**
     * The blocking form of this client: the same operations, each waiting at most {@code timeout} for its
     * answer and throwing {@link RelaisException} on refusal, failure or timeout.
     */
    default BlockingClient blocking(Duration timeout) {
        return new BlockingClient(this, timeout);
    }

    /** {@link #closeAsync()} and wait for it; idempotent, throws nothing checked. */
    @Override
    void close();

    /**
     * Sends a request to the default exchange and completes with its reply; the same as
     * {@link #request(Message, Duration)} with {@code Message.of(routingKey, payload)}.
     */
    default CompletableFuture<Delivery> request(String routingKey, byte[] payload, Duration timeout) {
        return request(Message.of(routingKey, payload), timeout);
    }

    /**
     * Sends a request and completes with its reply, by the request/reply conventions of the protocol
     * (PROTOCOL.md section 8), which {@link #reply(String, RequestHandler)} follows on the other side.
     *
     * <p>The first request makes the client's reply inbox: a pattern subscription with automatic ack on the
     * default exchange with the routing key {@code _reply.<connection id>}, which then lives as long as the
     * client. Every request is published as {@code request} describes it (exchange, routing key, payload,
     * properties, persistent flag), except that the client sets {@code reply_to} to the inbox key,
     * {@code correlation_id} to a value unique among this client's requests, and the mandatory flag; it is
     * published with confirm. Any number of requests may be in flight; replies are matched by
     * {@code correlation_id}, and a reply that comes after its request timed out is dropped.
     *
     * <p>Like {@link #publishConfirmed(Message)}, this blocks its caller while the unconfirmed window is full.
     * The future completes on the handler executor: dependent stages attached without {@code ...Async} run
     * there, before any later delivery of the client, and must not block for long. With the default
     * (single-threaded) handler executor, never wait for a reply inside a message or request handler of the
     * same client: the reply could only be handled by the thread that waits, so the request would time out.
     *
     * @param request the request; its {@code reply_to} and {@code correlation_id} are replaced
     * @param timeout how long to wait for the reply, from this call
     * @return completes with the reply as delivered to the inbox (its payload, properties with the
     *     responder's content type and headers, routing key = the inbox key); fails with
     *     {@link NoRouteException} at once when no queue is bound for the routing key (no responder),
     *     {@link RequestTimeoutException} when no reply came within {@code timeout}, {@link RelaisException}
     *     when the broker refuses the request or the client closes first
     */
    CompletableFuture<Delivery> request(Message request, Duration timeout);

    /**
     * Answers the requests published to the default exchange with a routing key that matches {@code pattern},
     * by the request/reply conventions of the protocol (PROTOCOL.md section 8).
     *
     * <p>Responders of one pattern share its requests, whatever connection they are on: the client declares
     * the queue {@code rpc.<pattern>} (not durable, not exclusive, auto-delete: it is deleted when its last
     * responder goes), binds it to the default exchange with {@code pattern}, and consumes it with manual ack
     * and a prefetch of {@value io.relais.client.impl.Responder#PREFETCH}. For every request with a {@code reply_to}, it calls the handler on the handler
     * executor, publishes the {@link Reply} to the default exchange with routing key = the request's
     * {@code reply_to} and the request's {@code correlation_id}, then acknowledges the request. A handler that
     * throws or returns {@code null} gets the request rejected without requeue and without reply (see
     * {@link RequestHandler}); a request without {@code reply_to} is acknowledged and ignored (logged at WARN).
     * Requests still unanswered when the client closes go back to the queue for another responder.
     *
     * @param pattern a topic pattern such as {@code svc} or {@code svc.*}; at most 251 bytes, since the queue
     *     name {@code rpc.<pattern>} is at most 255
     * @return completes when the responder consumes; {@link Subscription#cancel()} stops it
     */
    CompletableFuture<Subscription> reply(String pattern, RequestHandler handler);

    /**
     * Options for a {@link RelaisClient}, each with a named default. Not thread-safe; build once, connect any
     * number of times (each {@link #connect()} opens a new client).
     */
    final class Builder {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 7420;
        public static final String DEFAULT_USERNAME = "guest";
        public static final String DEFAULT_PASSWORD = "guest";
        public static final String DEFAULT_CLIENT_NAME = "relais-java";
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
        public static final int DEFAULT_MAX_UNCONFIRMED = 10_000;
        public static final int DEFAULT_MAX_PENDING_DELIVERIES = 10_000;
        public static final int DEFAULT_DISCONNECTED_BUFFER_SIZE = 10_000;
        public static final int DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String username = DEFAULT_USERNAME;
        private String password = DEFAULT_PASSWORD;
        private String clientName = DEFAULT_CLIENT_NAME;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private Executor handlerExecutor;
        private int maxUnconfirmed = DEFAULT_MAX_UNCONFIRMED;
        private int maxPendingDeliveries = DEFAULT_MAX_PENDING_DELIVERIES;
        private EventLoopGroup eventLoopGroup;
        private int ioThreads;
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
        private DisconnectedPublishes disconnectedPublishes = DisconnectedPublishes.BUFFER;
        private int disconnectedBufferSize = DEFAULT_DISCONNECTED_BUFFER_SIZE;
        private Backpressure backpressure = Backpressure.BLOCK;
        private int maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private TlsOptions tls;

        Builder() {
        }

        /**
         * When to reconnect after the connection is lost; default {@link ReconnectPolicy#DEFAULT} (exponential
         * backoff with jitter, forever). {@link ReconnectPolicy#disabled()} turns reconnection off. The first
         * connection is never retried: {@link #connect()} fails if the broker cannot be reached.
         */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * What publishes do while the client is reconnecting: kept (up to {@code bufferSize}) and sent once
         * reconnected, or failed at once. Default: {@link DisconnectedPublishes#BUFFER}, up to
         * {@value #DEFAULT_DISCONNECTED_BUFFER_SIZE}.
         */
        public Builder whileDisconnected(DisconnectedPublishes mode, int bufferSize) {
            if (bufferSize < 0) {
                throw new IllegalArgumentException("bufferSize must be >= 0: " + bufferSize);
            }
            this.disconnectedPublishes = Objects.requireNonNull(mode, "mode");
            this.disconnectedBufferSize = bufferSize;
            return this;
        }

        /**
         * What a publish does when {@link #maxUnconfirmed(int)} confirms are outstanding, or more than
         * {@link #maxBufferedBytes(int)} wait to be written: block the caller (at most the request timeout) or
         * fail at once. Default {@link Backpressure#BLOCK}. A publish called on a network thread never blocks.
         */
        public Builder backpressure(Backpressure backpressure) {
            this.backpressure = Objects.requireNonNull(backpressure, "backpressure");
            return this;
        }

        /**
         * Bytes waiting to be written to the socket above which publishes meet {@link #backpressure}; default
         * {@value #DEFAULT_MAX_BUFFERED_BYTES}. The bound counts payloads on their way to the socket and encoded
         * frames in it, so what the client holds stays near it (measured: within 25% with 1 KB messages) and never
         * grows with the publisher's speed.
         */
        public Builder maxBufferedBytes(int maxBufferedBytes) {
            if (maxBufferedBytes < 1024) {
                throw new IllegalArgumentException("maxBufferedBytes must be >= 1024: " + maxBufferedBytes);
            }
            this.maxBufferedBytes = maxBufferedBytes;
            return this;
        }

        /**
         * Connects over TLS with these options; default: plaintext. With a client certificate
         * ({@link TlsOptions#withClientCertificate}) the client authenticates with EXTERNAL when the broker
         * offers it (the certificate names the user), with PLAIN otherwise.
         */
        public Builder tls(TlsOptions options) {
            this.tls = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Connects over TLS, trusting the certificates of a PEM file; host names verified. Keeps a client certificate. */
        public Builder tlsCaFile(Path caFile) {
            TlsOptions t = TlsOptions.trustPem(caFile);
            this.tls = tls != null && tls.hasClientCertificate() ? t.withClientCertificate(tls.certificateFile(),
                    tls.keyFile()) : t;
            return this;
        }

        /**
         * Connects over TLS presenting this client certificate chain and key (PEM, key PKCS#8); trust as set by
         * {@link #tls} or {@link #tlsCaFile}, else the JDK's default authorities.
         */
        public Builder tlsClientCertificate(Path certificate, Path key) {
            this.tls = (tls == null ? TlsOptions.systemTrust() : tls).withClientCertificate(certificate, key);
            return this;
        }

        /** Broker host name or address; default {@value #DEFAULT_HOST}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Broker port; default {@value #DEFAULT_PORT}. */
        public Builder port(int port) {
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Host and port as {@code host:port}, {@code host} alone, or {@code [v6addr]:port}. */
        public Builder server(String hostAndPort) {
            Objects.requireNonNull(hostAndPort, "hostAndPort");
            String s = hostAndPort.trim();
            int colon = s.lastIndexOf(':');
            boolean bracketed = s.startsWith("[");
            if (bracketed) {
                int end = s.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("bad server address '" + hostAndPort + "'");
                }
                host(s.substring(1, end));
                if (end + 1 < s.length()) {
                    if (s.charAt(end + 1) != ':') {
                        throw new IllegalArgumentException("bad server address '" + hostAndPort + "'");
                    }
                    port(parsePort(s.substring(end + 2), hostAndPort));
                }
            } else if (colon < 0 || s.indexOf(':') != colon) {
                host(s); // no port, or an unbracketed IPv6 address
            } else {
                if (colon > 0) {
                    host(s.substring(0, colon));
                }
                port(parsePort(s.substring(colon + 1), hostAndPort));
            }
            return this;
        }

        private static int parsePort(String port, String whole) {
            try {
                return Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in server address '" + whole + "'", e);
            }
        }

        /** User name for PLAIN authentication; default {@value #DEFAULT_USERNAME}. */
        public Builder username(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /** Password for PLAIN authentication; default {@value #DEFAULT_PASSWORD}. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Name sent in HELLO, shown in the broker's logs; default {@value #DEFAULT_CLIENT_NAME}. */
        public Builder clientName(String clientName) {
            this.clientName = Objects.requireNonNull(clientName, "clientName");
            return this;
        }

        /** Bound on TCP connect plus handshake; default 10 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Bound on every request future, on confirms and on the graceful close; default 10 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * Heartbeat interval the client asks for; default 30 s. {@link Duration#ZERO} accepts the broker's.
         * The negotiated interval is the smaller of both non-zero proposals.
         */
        public Builder heartbeat(Duration heartbeat) {
            Objects.requireNonNull(heartbeat, "heartbeat");
            if (heartbeat.isNegative()) {
                throw new IllegalArgumentException("heartbeat must not be negative: " + heartbeat);
            }
            this.heartbeat = heartbeat;
            return this;
        }

        /**
         * Where message handlers and error listeners run. Default: one dedicated daemon thread per client,
         * which preserves order. A multi-threaded executor runs handlers concurrently and out of order.
         */
        public Builder handlerExecutor(Executor handlerExecutor) {
            this.handlerExecutor = Objects.requireNonNull(handlerExecutor, "handlerExecutor");
            return this;
        }

        /** Most confirmed publishes outstanding at a time; default {@value #DEFAULT_MAX_UNCONFIRMED}. */
        public Builder maxUnconfirmed(int maxUnconfirmed) {
            if (maxUnconfirmed <= 0) {
                throw new IllegalArgumentException("maxUnconfirmed must be > 0: " + maxUnconfirmed);
            }
            this.maxUnconfirmed = maxUnconfirmed;
            return this;
        }

        /**
         * Most deliveries waiting for the handler executor before the client stops reading from the socket
         * (it resumes when the backlog has halved); default {@value #DEFAULT_MAX_PENDING_DELIVERIES}.
         */
        public Builder maxPendingDeliveries(int maxPendingDeliveries) {
            if (maxPendingDeliveries <= 0) {
                throw new IllegalArgumentException("maxPendingDeliveries must be > 0: " + maxPendingDeliveries);
            }
            this.maxPendingDeliveries = maxPendingDeliveries;
            return this;
        }

        /**
         * Gives the client {@code threads} I/O threads of its own (daemon threads named
         * {@code relais-client-own-io-...}, stopped when the client is closed for good) instead of the group
         * shared by all clients of the JVM, the default. A client has one connection at a time, so 1 is enough.
         */
        public Builder ioThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("threads must be > 0: " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * <b>Netty opt-in</b>, the only option with a Netty type: runs the client's I/O on the application's own
         * Netty event loop group (epoll or NIO), to share its threads. The application owns the group: the client
         * never shuts it down. Overrides {@link #ioThreads(int)}; most applications want that or the default.
         */
        public Builder eventLoopGroup(EventLoopGroup eventLoopGroup) {
            this.eventLoopGroup = Objects.requireNonNull(eventLoopGroup, "eventLoopGroup");
            return this;
        }

        /**
         * Connects and waits for the handshake to complete (at most the connect timeout).
         *
         * @throws RelaisException when the broker cannot be reached, refuses the handshake (with its code, e.g.
         *     AUTHENTICATION_FAILED) or does not answer in time
         */
        public RelaisClient connect() {
            return ClientFacade.connectBlocking(config());
        }

        /** Connects without blocking; the future fails with {@link RelaisException} as {@link #connect()} throws. */
        public CompletableFuture<RelaisClient> connectAsync() {
            return ClientFacade.connect(config()).thenApply(c -> c);
        }

        private ClientConfig config() {
            return new ClientConfig(host, port, username, password, clientName, connectTimeout, requestTimeout,
                    heartbeat, handlerExecutor, maxUnconfirmed, maxPendingDeliveries, eventLoopGroup, ioThreads, reconnect,
                    disconnectedPublishes, disconnectedBufferSize, backpressure, maxBufferedBytes,
                    tls == null ? null : ClientTls.of(tls));
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
