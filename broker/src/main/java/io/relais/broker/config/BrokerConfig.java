package io.relais.broker.config;

import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.store.FsyncPolicy;
import io.relais.broker.store.WriteBehind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Every broker setting, with its YAML key and default in one place. {@code config/relais.yaml}
 * documents the same keys and defaults; a test checks that the two agree.
 *
 * <p>Immutable; thread-safe. Build variants with the {@code with...} methods.
 *
 * @param host address to listen on ({@value #KEY_HOST})
 * @param port TCP port, 0 for an ephemeral one ({@value #KEY_PORT})
 * @param ioThreads Netty event-loop threads, 0 for two per core ({@value #KEY_IO_THREADS})
 * @param dataDir directory for durable state ({@value #KEY_DATA_DIR})
 * @param maxFrameSize largest frame body accepted after the handshake ({@value #KEY_MAX_FRAME_SIZE})
 * @param handshakeTimeout time a new connection has to complete the handshake ({@value #KEY_HANDSHAKE_TIMEOUT})
 * @param heartbeat heartbeat interval the broker proposes, zero for none ({@value #KEY_HEARTBEAT})
 * @param writeBufferHigh bytes queued on a connection above which it counts as not writable ({@value #KEY_WRITE_BUFFER_HIGH})
 * @param writeBufferLow bytes below which it is writable again ({@value #KEY_WRITE_BUFFER_LOW})
 * @param memoryHighWatermark bytes held in queues above which publishers are paused ({@value #KEY_MEMORY_HIGH_WATERMARK})
 * @param defaultPrefetch unacknowledged deliveries per manual-ack subscription when the client asks for 0 ({@value #KEY_DEFAULT_PREFETCH})
 * @param maxBacklog messages a pattern subscription's queue holds before dropping its oldest ({@value #KEY_MAX_BACKLOG})
 * @param shutdownGrace how long SIGTERM waits for clients to acknowledge CLOSE ({@value #KEY_SHUTDOWN_GRACE})
 * @param auth how clients authenticate ({@code auth.*})
 * @param fsync when durable queues force their files to disk ({@value #KEY_FSYNC})
 * @param minFreeDisk free bytes on the data directory's disk below which publishes to durable queues
 *     (persistent or not) are refused with DISK_FULL ({@value #KEY_MIN_FREE_DISK})
 * @param frameTimeout the base of the time a client has to send a frame completely once its first
 *     byte arrived ({@value #KEY_FRAME_TIMEOUT})
 * @param frameTimeoutPerMib what that time grows by per MiB of the frame's declared length
 *     ({@value #KEY_FRAME_TIMEOUT_PER_MIB})
 * @param partialFrameMemory bytes that frames larger than 64 KiB being received on all connections
 *     may reserve together; a frame that does not fit waits, unread ({@value #KEY_PARTIAL_FRAME_MEMORY})
 * @param writeTimeout how long a connection without heartbeats may leave its outgoing buffer above the
 *     high watermark before it is closed, zero for no limit ({@value #KEY_WRITE_TIMEOUT})
 * @param consumerTimeout how long a manual-ack delivery may stay unacknowledged before its subscription
 *     is cancelled and its deliveries requeued, zero for no limit ({@value #KEY_CONSUMER_TIMEOUT})
 * @param tls the TLS listener ({@code tls.*}); {@link TlsConfig#DISABLED} by default
 * @param securityLimits limits on connections, queues, subscriptions and logins
 * @param audit where the audit log goes ({@value #KEY_AUDIT_FILE})
 * @param writeBehind how long a durable queue may deliver a message from memory before writing it, and how
 *     many bytes it may keep so ({@value #KEY_WRITE_BEHIND_DELAY}, {@value #KEY_WRITE_BEHIND_MAX_BYTES})
 * @param flow when {@code block} queues stop their publishers ({@value #KEY_FLOW_HIGH_MESSAGES},
 *     {@value #KEY_FLOW_HIGH_BYTES}, {@value #KEY_FLOW_DURABLE_HIGH_BYTES}, {@value #KEY_FLOW_MAX_DELAY})
 * @param http the HTTP listener of the admin API, health checks and web UI ({@code http.*})
 */
public record BrokerConfig(
        String host,
        int port,
        int ioThreads,
        Path dataDir,
        int maxFrameSize,
        Duration handshakeTimeout,
        Duration heartbeat,
        int writeBufferHigh,
        int writeBufferLow,
        long memoryHighWatermark,
        int defaultPrefetch,
        int maxBacklog,
        Duration shutdownGrace,
        AuthConfig auth,
        FsyncPolicy fsync,
        long minFreeDisk,
        Duration frameTimeout,
        Duration frameTimeoutPerMib,
        long partialFrameMemory,
        Duration writeTimeout,
        Duration consumerTimeout,
        FlowLimits flow,
        TlsConfig tls,
        SecurityLimits securityLimits,
        AuditConfig audit,
        WriteBehind writeBehind,
        HttpConfig http) {

    public static final String KEY_HOST = "server.host";
    public static final String KEY_PORT = "server.port";
    public static final String KEY_IO_THREADS = "server.io-threads";
    public static final String KEY_DATA_DIR = "data-dir";
    public static final String KEY_MAX_FRAME_SIZE = "limits.max-frame-size";
    public static final String KEY_HANDSHAKE_TIMEOUT = "limits.handshake-timeout";
    public static final String KEY_HEARTBEAT = "limits.heartbeat";
    public static final String KEY_WRITE_BUFFER_HIGH = "limits.write-buffer-high";
    public static final String KEY_WRITE_BUFFER_LOW = "limits.write-buffer-low";
    public static final String KEY_MEMORY_HIGH_WATERMARK = "limits.memory-high-watermark";
    public static final String KEY_DEFAULT_PREFETCH = "subscriptions.default-prefetch";
    public static final String KEY_MAX_BACKLOG = "subscriptions.max-backlog";
    public static final String KEY_SHUTDOWN_GRACE = "server.shutdown-grace";
    public static final String KEY_USERS = "auth.users";
    public static final String KEY_ANONYMOUS = "auth.anonymous";
    public static final String KEY_PLAIN_ON_PLAINTEXT = "auth.plain-on-plaintext";
    public static final String KEY_LOOPBACK_USERS = "auth.loopback-users";
    public static final String KEY_FAILURE_DELAY = "auth.failure-delay";
    public static final String KEY_FAILURE_DELAY_MAX = "auth.failure-delay-max";
    public static final String KEY_FAILURE_TRACKED_ADDRESSES = "auth.failure-tracked-addresses";
    public static final String KEY_FSYNC = "store.fsync";
    public static final String KEY_MIN_FREE_DISK = "store.min-free-disk";
    public static final String KEY_WRITE_BEHIND_DELAY = "store.write-behind-delay";
    public static final String KEY_WRITE_BEHIND_MAX_BYTES = "store.write-behind-max-bytes";
    public static final String KEY_FRAME_TIMEOUT = "limits.frame-timeout";
    public static final String KEY_FRAME_TIMEOUT_PER_MIB = "limits.frame-timeout-per-mib";
    public static final String KEY_PARTIAL_FRAME_MEMORY = "limits.partial-frame-memory";
    public static final String KEY_WRITE_TIMEOUT = "limits.write-timeout";
    public static final String KEY_CONSUMER_TIMEOUT = "subscriptions.consumer-timeout";
    public static final String KEY_FLOW_HIGH_MESSAGES = "flow.queue-high-messages";
    public static final String KEY_FLOW_HIGH_BYTES = "flow.queue-high-bytes";
    public static final String KEY_FLOW_DURABLE_HIGH_BYTES = "flow.durable-queue-high-bytes";
    public static final String KEY_FLOW_MAX_DELAY = "flow.queue-max-delay";
    public static final String KEY_TLS_PORT = "tls.port";
    public static final String KEY_TLS_CERTIFICATE = "tls.certificate";
    public static final String KEY_TLS_KEY = "tls.key";
    public static final String KEY_TLS_CA = "tls.ca";
    public static final String KEY_TLS_ONLY = "tls.only";
    public static final String KEY_TLS_CLIENT_AUTH = "tls.client-auth";
    public static final String KEY_TLS_EXTERNAL_USER = "tls.external-user";
    public static final String KEY_TLS_PROVIDER = "tls.provider";
    public static final String KEY_MAX_CONNECTIONS = "limits.max-connections";
    public static final String KEY_MAX_CONNECTIONS_PER_ADDRESS = "limits.max-connections-per-address";
    public static final String KEY_MAX_CONNECTIONS_PER_USER = "limits.max-connections-per-user";
    public static final String KEY_MAX_CONNECTIONS_PER_VHOST = "limits.max-connections-per-vhost";
    public static final String KEY_MAX_QUEUES_PER_VHOST = "limits.max-queues-per-vhost";
    public static final String KEY_MAX_SUBSCRIPTIONS_PER_CONNECTION = "limits.max-subscriptions-per-connection";
    public static final String KEY_AUDIT_FILE = "audit.file";
    public static final String KEY_AUDIT_MAX_FILE_SIZE = "audit.max-file-size";
    public static final String KEY_AUDIT_MAX_FILES = "audit.max-files";
    public static final String KEY_HTTP_ENABLED = "http.enabled";
    public static final String KEY_HTTP_HOST = "http.host";
    public static final String KEY_HTTP_PORT = "http.port";
    public static final String KEY_HTTP_MAX_BODY = "http.max-body";
    public static final String KEY_HTTP_TOKEN_LIFETIME = "http.token-lifetime";
    public static final String KEY_HTTP_METRICS_AUTH = "http.metrics-auth";
    public static final String KEY_HTTP_TLS = "http.tls";

    /** The built-in defaults: the values {@code config/relais.yaml} documents. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(
                "127.0.0.1",
                7420,
                0,
                Path.of("data"),
                16 * 1024 * 1024,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                1024 * 1024,
                512 * 1024,
                256L * 1024 * 1024,
                1000,
                10_000,
                Duration.ofSeconds(5),
                AuthConfig.DEFAULTS,
                FsyncPolicy.DEFAULT,
                100L * 1024 * 1024,
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                64L * 1024 * 1024,
                Duration.ofSeconds(60),
                Duration.ofMinutes(30),
                FlowLimits.DEFAULTS,
                TlsConfig.DISABLED,
                SecurityLimits.DEFAULTS,
                AuditConfig.DEFAULTS,
                WriteBehind.DEFAULT,
                HttpConfig.DEFAULTS);
    }

    public BrokerConfig {
        Objects.requireNonNull(host, KEY_HOST);
        Objects.requireNonNull(dataDir, KEY_DATA_DIR);
        Objects.requireNonNull(fsync, KEY_FSYNC);
        Objects.requireNonNull(frameTimeout, KEY_FRAME_TIMEOUT);
        Objects.requireNonNull(frameTimeoutPerMib, KEY_FRAME_TIMEOUT_PER_MIB);
        Objects.requireNonNull(writeTimeout, KEY_WRITE_TIMEOUT);
        Objects.requireNonNull(consumerTimeout, KEY_CONSUMER_TIMEOUT);
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(securityLimits, "limits");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(writeBehind, KEY_WRITE_BEHIND_DELAY);
        Objects.requireNonNull(http, "http");
    }

    /**
     * This configuration listening on another port. With 0 (an ephemeral port, as tests and {@code --port 0}
     * ask for) an enabled HTTP listener takes an ephemeral port too, so that no broker started for a test
     * binds the fixed HTTP port.
     */
    public BrokerConfig withPort(int newPort) {
        HttpConfig newHttp = newPort == 0 && http.enabled() ? http.withPort(0) : http;
        return new BrokerConfig(host, newPort, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout,
                consumerTimeout, flow, tls, securityLimits, audit, writeBehind, newHttp);
    }

    /** This configuration with another HTTP listener ({@link HttpConfig#DISABLED} for none). */
    public BrokerConfig withHttp(HttpConfig newHttp) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout,
                consumerTimeout, flow, tls, securityLimits, audit, writeBehind, newHttp);
    }

    /** This configuration listening on another address. */
    public BrokerConfig withHost(String newHost) {
        return new BrokerConfig(newHost, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout,
                consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another data directory. */
    public BrokerConfig withDataDir(Path newDataDir) {
        return new BrokerConfig(host, port, ioThreads, newDataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another proposed heartbeat and handshake timeout (for tests). */
    public BrokerConfig withTimeouts(Duration newHeartbeat, Duration newHandshakeTimeout) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, newHandshakeTimeout, newHeartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another memory high watermark (for tests). */
    public BrokerConfig withMemoryHighWatermark(long bytes) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, bytes, defaultPrefetch, maxBacklog, shutdownGrace, auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another pattern-subscription backlog bound (for tests). */
    public BrokerConfig withMaxBacklog(int newMaxBacklog) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, newMaxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another fsync policy and free-disk threshold. */
    public BrokerConfig withStore(FsyncPolicy newFsync, long newMinFreeDisk) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, newFsync, newMinFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory, writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with other bounds on incomplete frames and on clients that do not read (for tests). */
    public BrokerConfig withConnectionBounds(Duration newFrameTimeout, Duration newFrameTimeoutPerMib,
                                             long newPartialFrameMemory, Duration newWriteTimeout) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, newFrameTimeout, newFrameTimeoutPerMib, newPartialFrameMemory,
                newWriteTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with another consumer timeout, zero for none (for tests). */
    public BrokerConfig withConsumerTimeout(Duration newConsumerTimeout) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, newConsumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with other flow-control defaults for {@code block} queues. */
    public BrokerConfig withFlow(FlowLimits newFlow) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, newFlow, tls, securityLimits, audit, writeBehind, http);
    }
    /** This configuration with other authentication settings. */
    public BrokerConfig withAuth(AuthConfig newAuth) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                newAuth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with other TLS settings. */
    public BrokerConfig withTls(TlsConfig newTls) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, flow, newTls, securityLimits, audit, writeBehind, http);
    }

    /** This configuration with other connection, queue and login limits. */
    public BrokerConfig withSecurityLimits(SecurityLimits newLimits) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, flow, tls, newLimits, audit, writeBehind, http);
    }

    /** This configuration with another write-behind of durable queues ({@link WriteBehind#OFF} turns it off). */
    public BrokerConfig withWriteBehind(WriteBehind newWriteBehind) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, flow, tls, securityLimits, audit, newWriteBehind, http);
    }

    /** This configuration with another audit log. */
    public BrokerConfig withAudit(AuditConfig newAudit) {
        return new BrokerConfig(host, port, ioThreads, dataDir, maxFrameSize, handshakeTimeout, heartbeat,
                writeBufferHigh, writeBufferLow, memoryHighWatermark, defaultPrefetch, maxBacklog, shutdownGrace,
                auth, fsync, minFreeDisk, frameTimeout, frameTimeoutPerMib, partialFrameMemory,
                writeTimeout, consumerTimeout, flow, tls, securityLimits, newAudit, writeBehind, http);
    }
}
