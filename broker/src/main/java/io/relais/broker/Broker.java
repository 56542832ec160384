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
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.net.BrokerContext;
import io.relais.broker.net.DiskMonitor;
import io.relais.broker.net.MemoryMonitor;
import io.relais.broker.net.NettyLoops;
import io.relais.broker.net.ServerPipeline;
import io.relais.broker.net.Session;
import io.relais.broker.store.DiskDefinitions;
import io.relais.broker.store.DiskQueueStorage;
import io.relais.broker.store.DiskSpace;
import io.relais.broker.store.StoreException;
import io.relais.broker.store.StoreFaults;
import io.relais.broker.store.StoreThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the listening socket, the event loops, and the topology they serve.
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
    private final Channel serverChannel;
    private final FileChannel lockChannel;
    private final FileLock dataLock;
    private final ExecutorService topologyThread;
    private final StoreThreads storeThreads;
    private volatile boolean closed;

    private Broker(BrokerConfig config, EventLoopGroup boss, EventLoopGroup workers, BrokerContext context,
                   Channel serverChannel, FileChannel lockChannel, FileLock dataLock, ExecutorService topologyThread,
                   StoreThreads storeThreads) {
        this.config = config;
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
        Topology topology = new Topology(Names.DEFAULT_VHOST, topologyThread, loops,
                new DiskDefinitions(dataDir, space, faults),
                new DiskQueueStorage(dataDir, config.fsync(), config.writeBehind(), storeThreads, space), AccessControl.PERMIT_ALL, config.flow());
        // The free space is probed on a store thread, never on a network loop.
        storeThreads.next().scheduleWithFixedDelay(space::probe, DiskSpace.PROBE_MILLIS, DiskSpace.PROBE_MILLIS,
                TimeUnit.MILLISECONDS);
        BrokerContext context = new BrokerContext(config, topology, loops, VERSION);
        try {
            topology.recover();
        } catch (CoreException | StoreException | IllegalArgumentException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            topologyThread.shutdown();
            storeThreads.close();
            releaseQuietly(lock, lockChannel);
            throw new ConfigException("cannot recover the durable state in " + dataDir + ": " + e.getMessage(), e);
        }
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ServerPipeline(context))
                    .bind(new InetSocketAddress(config.host(), config.port()))
                    .syncUninterruptibly()
                    .channel();
            workers.next().scheduleAtFixedRate(new MemoryMonitor(context), 100, 100, TimeUnit.MILLISECONDS);
            DiskMonitor disk = new DiskMonitor(context, space);
            disk.run();
            workers.next().scheduleAtFixedRate(disk, DiskSpace.PROBE_MILLIS, DiskSpace.PROBE_MILLIS,
                    TimeUnit.MILLISECONDS);
            Broker broker = new Broker(config, boss, workers, context, server, lockChannel, lock, topologyThread,
                    storeThreads);
            LOG.info("Relais {} listening on {}:{} ({} transport, data dir {})", VERSION, config.host(), broker.port(),
                    epoll ? "epoll" : "nio", dataDir);
            return broker;
        } catch (RuntimeException e) {
            topology.closeAll().join();
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            topologyThread.shutdown();
            storeThreads.close();
            releaseQuietly(lock, lockChannel);
            throw new ConfigException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void releaseQuietly(FileLock lock, FileChannel channel) {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Start-up already failed; the original error is the one to report.
        }
    }

    /** The port the broker listens on (the real one when the configuration asked for 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The host the broker listens on. */
    public String host() {
        return config.host();
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
        serverChannel.close().syncUninterruptibly();
        for (Session s : context.sessions()) {
            s.shutdown();
        }
        awaitNoSessions(config.shutdownGrace().toNanos());
        for (Session s : context.sessions()) {
            s.forceClose();
        }
        awaitNoSessions(TimeUnit.SECONDS.toNanos(2));
        try {
            context.topology().closeAll().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("queues were not all closed at shutdown: {}", e.toString());
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        topologyThread.shutdown();
        storeThreads.close();
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
