package io.relais.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.config.HttpConfig;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.audit.AuditEvent;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.access.Administrators;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.PermissionAccessControl;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.core.vhost.VirtualHosts;
import io.relais.broker.http.BrokerStatus;
import io.relais.broker.http.HttpServer;
import io.relais.broker.http.MetricsSource;
import io.relais.broker.net.Authenticator;
import io.relais.broker.net.BrokerContext;
import io.relais.broker.net.DiskMonitor;
import io.relais.broker.net.MemoryMonitor;
import io.relais.broker.net.NettyLoops;
import io.relais.broker.net.ServerPipeline;
import io.relais.broker.net.Session;
import io.relais.broker.net.TlsContexts;
import io.relais.broker.security.KeyDerivation;
import io.relais.broker.security.LoginThrottle;
import io.relais.broker.security.User;
import io.relais.broker.security.UserDatabase;
import io.relais.broker.store.DiskSpace;
import io.relais.broker.store.DiskVhostStorage;
import io.relais.broker.store.PermissionsFile;
import io.relais.broker.store.StoreException;
import io.relais.broker.store.StoreFaults;
import io.relais.broker.store.StoreThreads;
import io.relais.protocol.sasl.ScramCredential;
import io.relais.broker.store.VhostsFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the listening socket, the event loops, and the virtual hosts they serve, with
 * the permission table that guards them.
 *
 * <p>{@link #start(BrokerConfig)} binds and returns; {@link #close()} shuts down gracefully
 * (CLOSE to every client, a grace period, then the sockets and threads). Thread-safe; close is
 * idempotent.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    /** The broker's version, sent to clients in WELCOME. */
    public static final String VERSION = versionOf();

    private final BrokerConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final BrokerContext context;
    /** The plaintext listener; null when TLS-only. */
    private final Channel serverChannel;
    /** The TLS listener and its contexts; null without TLS. */
    private final Channel tlsChannel;
    private final TlsContexts tls;
    private final FileChannel lockChannel;
    private final FileLock dataLock;
    private final ExecutorService topologyThread;
    private final StoreThreads storeThreads;
    private final UserDatabase users;
    private final KeyDerivation keyDerivation;
    private final HttpServer http;
    private InternalLogin internalLogin;
    private volatile boolean closed;

    /**
     * The credentials of an internal user for this run only ({@link #internalLogin()}).
     *
     * @param user the user name, {@value #INTERNAL_USER}
     * @param password a random password, held in memory only
     */
    public record InternalLogin(String user, String password) {
        @Override
        public String toString() {
            return "InternalLogin[" + user + "]";
        }
    }

    /** The internal user {@code relais broker}'s bridge logs in as. */
    public static final String INTERNAL_USER = UserDatabase.RESERVED_PREFIX + "bridge";

    private Broker(BrokerConfig config, EventLoopGroup boss, EventLoopGroup workers, BrokerContext context,
                   Channel serverChannel, Channel tlsChannel, TlsContexts tls, FileChannel lockChannel, FileLock dataLock,
                   ExecutorService topologyThread, StoreThreads storeThreads, UserDatabase users,
                   KeyDerivation keyDerivation, HttpServer http) {
        this.http = http;
        this.tlsChannel = tlsChannel;
        this.tls = tls;
        this.config = config;
        this.users = users;
        this.keyDerivation = keyDerivation;
        this.topologyThread = topologyThread;
        this.storeThreads = storeThreads;
        this.boss = boss;
        this.workers = workers;
        this.context = context;
        this.serverChannel = serverChannel;
        this.lockChannel = lockChannel;
        this.dataLock = dataLock;
    }

    /**
     * Starts a broker and returns once it listens.
     *
     * @throws ConfigException if the data directory is unusable or the address cannot be bound
     */
    public static Broker start(BrokerConfig config) {
        return start(config, StoreFaults.NONE);
    }

    /**
     * Starts a broker whose stores suffer {@code faults}: for tests that show what a slow or
     * failing disk does to the rest of the broker.
     *
     * @throws ConfigException if the data directory is unusable or the address cannot be bound
     */
    public static Broker start(BrokerConfig config, StoreFaults faults) {
        return start(config, faults, null);
    }

    /**
     * Starts a broker whose administrators (who may manage users, virtual hosts and permissions) are those
     * {@code administrators} names; null for the users the user database tags {@code administrator}.
     *
     * @throws ConfigException if the data directory is unusable or the address cannot be bound
     */
    public static Broker start(BrokerConfig config, StoreFaults faults, Administrators administratorsOrNull) {
        return start(config, faults, administratorsOrNull, null);
    }

    /**
     * Starts a broker as above whose HTTP listener ({@code http.*}) serves {@code metricsOrNull} on
     * {@code /metrics} (null: {@code /metrics} answers 404).
     *
     * @throws ConfigException if the data directory is unusable or an address cannot be bound
     */
    public static Broker start(BrokerConfig config, StoreFaults faults, Administrators administratorsOrNull,
                               MetricsSource metricsOrNull) {
        // The TLS files first: a bad one stops start-up before anything else is touched.
        TlsContexts tls = config.tls().enabled() ? TlsContexts.load(config.tls()) : null;
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        FileChannel lockChannel;
        FileLock lock;
        try {
            Files.createDirectories(dataDir);
            lockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new ConfigException(BrokerConfig.KEY_DATA_DIR + ": " + dataDir
                        + " is in use by another broker");
            }
        } catch (IOException e) {
            throw new ConfigException(BrokerConfig.KEY_DATA_DIR + ": cannot use " + dataDir + ": " + e.getMessage(), e);
        }
        DiskSpace space;
        try {
            space = DiskSpace.of(dataDir, config.minFreeDisk(), faults);
        } catch (StoreException e) {
            releaseQuietly(lock, lockChannel);
            throw new ConfigException(BrokerConfig.KEY_DATA_DIR + ": " + e.getMessage(), e);
        }
        if (space.free() < space.floor()) {
            releaseQuietly(lock, lockChannel);
            throw new ConfigException("the disk of " + dataDir + " is full: " + (space.free() >> 10) + " KiB free, "
                    + "and the broker needs at least " + (space.floor() >> 20) + " MiB free to open its durable "
                    + "queues; free some space and start it again");
        }
        if (space.free() < space.lastReserve()) {
            LOG.warn("starting read-only: {} MiB free on the disk of {}, below a quarter of {}; publishes to durable "
                    + "queues are refused and settlements are kept in memory (a restart delivers them again) until "
                    + "space returns", space.free() >> 20, dataDir, BrokerConfig.KEY_MIN_FREE_DISK);
        }
        UserDatabase users;
        try {
            users = UserDatabase.open(dataDir, config.auth());
        } catch (ConfigException e) {
            releaseQuietly(lock, lockChannel);
            throw e;
        }
        KeyDerivation keyDerivation = new KeyDerivation();
        boolean epoll = Epoll.isAvailable();
        int threads = config.ioThreads();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("relais-accept"))
                : new NioEventLoopGroup(1, new DefaultThreadFactory("relais-accept"));
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(threads, new DefaultThreadFactory("relais-io"))
                : new NioEventLoopGroup(threads, new DefaultThreadFactory("relais-io"));
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        NettyLoops loops = new NettyLoops(workers);
        ExecutorService topologyThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "relais-definitions");
            t.setDaemon(true);
            return t;
        });
        StoreThreads storeThreads = new StoreThreads(Math.max(1, Math.min(4, threads)), faults);
        Administrators administrators = administratorsOrNull != null ? administratorsOrNull
                : users::isAdministrator;
        // Internal users (relais broker's bridge) may do anything in every virtual host; everyone else what
        // the permission table says.
        PermissionAccessControl permissions = new PermissionAccessControl(new PermissionsFile(dataDir), topologyThread,
                AuditLog::refused, UserDatabase::internal);
        VirtualHosts vhosts = new VirtualHosts(new VhostsFile(dataDir),
                new DiskVhostStorage(dataDir, config.fsync(), config.writeBehind(), storeThreads, space, faults), topologyThread, loops,
                permissions, config.flow(), config.securityLimits().maxQueuesPerVhost(), Broker::auditChange);
        // A deleted user's permissions go with it.
        users.onDeleted(permissions::clearUser);
        // The free space is probed on a store thread, never on a network loop.
        storeThreads.next().scheduleWithFixedDelay(space::probe, DiskSpace.PROBE_MILLIS, DiskSpace.PROBE_MILLIS,
                TimeUnit.MILLISECONDS);
        BrokerContext context = new BrokerContext(config, vhosts, permissions, administrators, loops, VERSION,
                new Authenticator(config.auth(), users, keyDerivation));
        try {
            List<String> seeds = seedUsers(config, users);
            if (permissions.recover(seeds)) {
                LOG.info("first start: full permissions in vhost '{}' for {}", Names.DEFAULT_VHOST, seeds);
            }
            vhosts.recover();
        } catch (CoreException | StoreException | IllegalArgumentException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            topologyThread.shutdown();
            storeThreads.close();
            users.close();
            keyDerivation.close();
            releaseQuietly(lock, lockChannel);
            throw new ConfigException("cannot recover the durable state in " + dataDir + ": " + e.getMessage(), e);
        }
        Channel server = null;
        Channel tlsServer = null;
        HttpServer httpServer = null;
        String listening = "";
        try {
            if (tls == null || !config.tls().only()) {
                listening = config.host() + ":" + config.port();
                server = listen(boss, workers, channelType, new ServerPipeline(context), config.host(), config.port());
            }
            if (tls != null) {
                listening = config.host() + ":" + config.tls().port() + " (TLS)";
                tlsServer = listen(boss, workers, channelType, new ServerPipeline(context, tls), config.host(),
                        config.tls().port());
            }
            workers.next().scheduleAtFixedRate(new MemoryMonitor(context), 100, 100, TimeUnit.MILLISECONDS);
            DiskMonitor disk = new DiskMonitor(context, space);
            disk.run();
            workers.next().scheduleAtFixedRate(disk, DiskSpace.PROBE_MILLIS, DiskSpace.PROBE_MILLIS,
                    TimeUnit.MILLISECONDS);
            HttpConfig httpConfig = config.http();
            if (httpConfig.enabled()) {
                listening = httpConfig.host() + ":" + httpConfig.port() + " (HTTP)";
                ListenerStatus status = new ListenerStatus(config, server, tlsServer, space);
                httpServer = HttpServer.start(httpConfig, boss, workers, channelType, tls, context, users, status,
                        metricsOrNull, VERSION);
                status.http(httpServer);
            }
            Broker broker = new Broker(config, boss, workers, context, server, tlsServer, tls, lockChannel,
                    lock, topologyThread, storeThreads, users, keyDerivation, httpServer);
            LOG.info("Relais {} listening on {} ({} transport, data dir {})", VERSION, broker.describeListeners(),
                    epoll ? "epoll" : "nio", dataDir);
            return broker;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close().syncUninterruptibly();
            }
            if (tlsServer != null) {
                tlsServer.close().syncUninterruptibly();
            }
            closeAll(vhosts).join();
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            topologyThread.shutdown();
            storeThreads.close();
            users.close();
            keyDerivation.close();
            releaseQuietly(lock, lockChannel);
            throw new ConfigException("cannot listen on " + listening + ": " + e.getMessage(), e);
        }
    }

    private static Channel listen(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> type,
                                  ServerPipeline pipeline, String host, int port) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(pipeline)
                .bind(new InetSocketAddress(host, port))
                .syncUninterruptibly()
                .channel();
    }

    private String describeListeners() {
        String plain = serverChannel == null ? "" : config.host() + ":" + localPort(serverChannel);
        String secure = tlsChannel == null ? "" : config.host() + ":" + tlsPort() + " (TLS, " + tls.providerName()
                + (tls.config().ca() == null ? "" : ", client certificates " + tls.config().clientAuth().word()) + ")";
        String protocol = plain.isEmpty() ? secure : secure.isEmpty() ? plain : plain + " and " + secure;
        return http == null ? protocol : protocol + ", " + (http.secure() ? "HTTPS" : "HTTP") + " on " + http.host()
                + ":" + http.port();
    }

    /** The port of the HTTP listener (the real one when the configuration asked for 0), or -1 without one. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The broker's listeners and state as the HTTP front end reports them. Thread-safe. */
    private static final class ListenerStatus implements BrokerStatus {
        private final BrokerConfig config;
        private final Channel plain;
        private final Channel secure;
        private final DiskSpace space;
        private final long startedAt = System.currentTimeMillis();
        private volatile HttpServer http;

        ListenerStatus(BrokerConfig config, Channel plain, Channel secure, DiskSpace space) {
            this.config = config;
            this.plain = plain;
            this.secure = secure;
            this.space = space;
        }

        void http(HttpServer server) {
            this.http = server;
        }

        @Override
        public List<Listener> listeners() {
            List<Listener> list = new ArrayList<>();
            if (plain != null && plain.isActive()) {
                list.add(new Listener("relais", config.host(), localPort(plain)));
            }
            if (secure != null && secure.isActive()) {
                list.add(new Listener("relais+tls", config.host(), localPort(secure)));
            }
            HttpServer h = http;
            if (h != null) {
                list.add(new Listener(h.secure() ? "https" : "http", h.host(), h.port()));
            }
            return list;
        }

        @Override
        public boolean listening() {
            return (plain == null || plain.isActive()) && (secure == null || secure.isActive());
        }

        @Override
        public boolean recovered() {
            // The HTTP listener starts after the data directory was recovered.
            return true;
        }

        @Override
        public long diskFreeBytes() {
            return space.free();
        }

        @Override
        public long startedAtMillis() {
            return startedAt;
        }
    }

    private static int localPort(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Reads the TLS certificate, key and CA files again and makes new TLS handshakes use them; open
     * connections keep theirs (they are not dropped). Blocks on file I/O: call it off the event loops (the
     * {@code relais broker} SIGHUP handler does).
     *
     * @throws ConfigException naming the key of a file that is bad; the certificates in use stay
     * @throws IllegalStateException if the broker has no TLS listener
     */
    public void reloadTls() {
        if (tls == null) {
            throw new IllegalStateException("this broker has no TLS listener (" + BrokerConfig.KEY_TLS_PORT + ")");
        }
        tls.reload();
    }

    /** The TLS port (the real one when the configuration asked for 0), or -1 without a TLS listener. */
    public int tlsPort() {
        return tlsChannel == null ? -1 : localPort(tlsChannel);
    }

    /** The TLS engine in use, {@code openssl} or {@code jdk}; null without a TLS listener. */
    public String tlsProvider() {
        return tls == null ? null : tls.providerName();
    }

    /**
     * The users a first start gives full permissions in the default virtual host: the users of the database
     * (on a first start, those of the seed list {@code auth.users}), and anonymous (the empty name) when
     * ANONYMOUS is enabled.
     */
    private static List<String> seedUsers(BrokerConfig config, UserDatabase database) {
        List<String> users = new ArrayList<>(new TreeSet<>(database.list().stream().map(User::name).toList()));
        if (config.auth().anonymous()) {
            users.add("");
        }
        return users;
    }

    private static void auditChange(Caller caller, String action, String kind, String name,
                                    Map<String, String> details) {
        AuditEvent event = AuditLog.change(caller, action, kind, name);
        details.forEach(event::put);
        event.log();
    }

    private static CompletableFuture<Void> closeAll(VirtualHosts vhosts) {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Topology t : vhosts.all()) {
            closing.add(t.closeAll());
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    private static void releaseQuietly(FileLock lock, FileChannel channel) {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Start-up already failed; the original error is the one to report.
        }
    }

    /**
     * The plaintext port the broker listens on (the real one when the configuration asked for 0); when it is
     * TLS-only, the TLS port.
     */
    public int port() {
        return serverChannel == null ? tlsPort() : localPort(serverChannel);
    }

    /** The host the broker listens on. */
    public String host() {
        return config.host();
    }

    /** The broker's users, durable in the data directory. */
    public UserDatabase users() {
        return users;
    }

    /** The throttle of failed logins (tests read its schedule). */
    public LoginThrottle loginThrottle() {
        return context.authenticator().throttle();
    }

    /**
     * The credentials of the internal user {@value #INTERNAL_USER}, created on the first call: a random
     * password for this run, kept in memory only (the user database holds its SCRAM keys in memory, never on
     * disk); the user may log in only from a loopback address and is neither listed nor changeable over the
     * protocol. {@code relais broker} gives them to the bridge it runs. Derives the keys (PBKDF2) on the
     * calling thread.
     */
    public synchronized InternalLogin internalLogin() {
        if (internalLogin == null) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getEncoder().encodeToString(random);
            users.addInternal(INTERNAL_USER, ScramCredential.create(password), Set.of());
            internalLogin = new InternalLogin(INTERNAL_USER, password);
        }
        return internalLogin;
    }

    /** Number of open client connections. */
    public int connectionCount() {
        return context.sessions().size();
    }

    /**
     * Bytes all connections hold in frames that have not arrived completely; the memory alarm counts
     * those of connections that have published ({@link #memoryAlarm}).
     */
    public long partialFrameBytes() {
        return context.partialFrameBytes();
    }

    /** True while the memory alarm is raised and publishers are paused (PROTOCOL.md 7.8 point 5). */
    public boolean memoryAlarm() {
        return context.memoryAlarm();
    }

    /** Bytes reserved for large frames being received, at most {@code limits.partial-frame-memory} but for one frame. */
    public long frameMemoryReserved() {
        return context.frameMemoryReserved();
    }

    /** Stops accepting, asks every client to close, waits the grace period, then stops. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down: closing {} connections", context.sessions().size());
        if (http != null) {
            http.close();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        for (Session s : context.sessions()) {
            s.shutdown();
        }
        awaitNoSessions(config.shutdownGrace().toNanos());
        for (Session s : context.sessions()) {
            s.forceClose();
        }
        awaitNoSessions(TimeUnit.SECONDS.toNanos(2));
        try {
            closeAll(context.vhosts()).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("queues were not all closed at shutdown: {}", e.toString());
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        topologyThread.shutdown();
        storeThreads.close();
        users.close();
        keyDerivation.close();
        try {
            dataLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("could not release the data directory lock: {}", e.getMessage());
        }
        LOG.info("stopped");
    }

    private void awaitNoSessions(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (!context.sessions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String versionOf() {
        String v = Broker.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
