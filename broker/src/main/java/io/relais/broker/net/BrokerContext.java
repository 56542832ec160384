package io.relais.broker.net;

import io.relais.broker.admin.AdminService;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.access.Administrators;
import io.relais.broker.core.access.PermissionAccessControl;
import io.relais.broker.core.manage.ManagementView;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.core.vhost.VirtualHosts;
import io.relais.broker.security.UserDatabase;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every session shares: configuration, the virtual hosts with their topologies, the
 * permissions and who is an administrator, authentication (the {@link Authenticator} with the user
 * database), the connection limits, the set of live
 * sessions, the memory alarm, and what incomplete frames hold: the bytes they hold (which the
 * memory alarm counts) and the memory reserved for large frames being received, with the sessions
 * waiting for some (PROTOCOL.md 7.8 point 5). Thread-safe: the byte count is a {@link LongAdder}
 * each session adds its changes to from its own loop; reservations are a compare-and-set on one
 * counter, made only when a frame larger than 64 KiB does not arrive in one read; raising or
 * clearing the alarm is serialized, so that every session sees the changes in order.
 */
public final class BrokerContext {
    private final BrokerConfig config;
    private final VirtualHosts vhosts;
    private final PermissionAccessControl permissions;
    private final Administrators administrators;
    private final Authenticator authenticator;
    private final ExternalAuthenticator external;
    private final ConnectionLimiter limiter;
    private final String serverVersion;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final NettyLoops loops;
    private final ManagementView view;
    private final AdminService admin;
    private final AtomicLong connectionCounter = new AtomicLong();
    private final LongAdder partialFrameBytes = new LongAdder();
    private final LongAdder alarmPartialFrameBytes = new LongAdder();
    private final AtomicLong frameMemoryReserved = new AtomicLong();
    private final Queue<Runnable> frameMemoryWaiters = new ConcurrentLinkedQueue<>();
    private final String instanceTag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private volatile boolean memoryAlarm;
    private volatile boolean diskAlarm;

    /**
     * What the sessions of a broker share; {@code loops} are its network event loops.
     *
     * @param vhosts the virtual hosts, recovered
     * @param permissions the permission table every topology checks
     * @param administrators who may manage users, virtual hosts and permissions
     * @param authenticator checks logins against the user database
     */
    public BrokerContext(BrokerConfig config, VirtualHosts vhosts, PermissionAccessControl permissions,
                         Administrators administrators, NettyLoops loops, String serverVersion,
                         Authenticator authenticator) {
        this.config = config;
        this.vhosts = vhosts;
        this.permissions = permissions;
        this.administrators = administrators;
        this.loops = loops;
        this.view = new ManagementView(vhosts, sessions);
        this.authenticator = authenticator;
        // EXTERNAL may name any user of the database, the certificate standing in for the password; never one
        // of the broker's internal users, who log in only with the credentials the broker made for them.
        this.external = new ExternalAuthenticator(config.tls().externalUser(),
                name -> !UserDatabase.internal(name) && authenticator.users().user(name).isPresent());
        this.limiter = new ConnectionLimiter(config.securityLimits());
        this.serverVersion = serverVersion;
        // Without an authenticator (a context built for a test of one part) there are no users to administer.
        this.admin = authenticator == null ? null : new AdminService(vhosts, permissions, administrators,
                authenticator.users(), this::closeConnectionsIn);
    }

    /**
     * Users, virtual hosts and permissions, administered as every front end does it; null only for a context
     * made without an authenticator.
     */
    public AdminService admin() {
        return admin;
    }

    /** The event loops, as the core's owner loops. */
    public NettyLoops loops() {
        return loops;
    }

    /** The read-only management view. */
    public ManagementView view() {
        return view;
    }

    /** The configuration. */
    public BrokerConfig config() {
        return config;
    }

    /** The default virtual host's model. */
    public Topology topology() {
        return vhosts.defaultHost();
    }

    /** The virtual hosts. */
    public VirtualHosts vhosts() {
        return vhosts;
    }

    /** The permission table. */
    public PermissionAccessControl permissions() {
        return permissions;
    }

    /** Who may manage virtual hosts and permissions. */
    public Administrators administrators() {
        return administrators;
    }

    /** Closes the connections in virtual host {@code vhost}, which is being deleted; any thread. */
    public void closeConnectionsIn(String vhost) {
        for (Session s : sessions) {
            s.vhostDeleted(vhost);
        }
    }

    /** Logs clients in: the user database, the mechanisms, the throttle of failed logins. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** Checks AUTH frames with the EXTERNAL mechanism (TLS client certificates). */
    public ExternalAuthenticator externalAuthenticator() {
        return external;
    }

    /** Counts connections against the connection limits. */
    ConnectionLimiter limiter() {
        return limiter;
    }

    /** The version sent in WELCOME. */
    public String serverVersion() {
        return serverVersion;
    }

    /** Live sessions. */
    public Set<Session> sessions() {
        return sessions;
    }

    /** A new connection id, unique within this broker run and unlikely to repeat across runs. */
    String nextConnectionId() {
        return instanceTag + "-" + connectionCounter.incrementAndGet();
    }

    /** True while queues hold more bytes than the high watermark. */
    public boolean memoryAlarm() {
        return memoryAlarm;
    }

    /** Raises or clears the memory alarm and tells every session; any thread. */
    public synchronized void memoryAlarm(boolean on) {
        if (memoryAlarm != on) {
            memoryAlarm = on;
            for (Session s : sessions) {
                s.memoryAlarmChanged(on);
            }
        }
    }

    /** A session's incomplete frame now holds {@code delta} bytes more (or fewer, when negative). */
    void partialFrameBytesChanged(long delta) {
        partialFrameBytes.add(delta);
    }

    /**
     * The part of a session's incomplete frame that the memory alarm counts (that of a connection which
     * has published, the connections the alarm pauses) now holds {@code delta} bytes more or fewer.
     */
    void alarmPartialFrameBytesChanged(long delta) {
        alarmPartialFrameBytes.add(delta);
    }

    /**
     * Reserves {@code bytes} for a large frame being received: granted while all reservations
     * together stay within {@code limits.partial-frame-memory}, and always when nothing is reserved
     * (so that a frame larger than that limit can still arrive, alone).
     */
    boolean reserveFrameMemory(long bytes) {
        long limit = config.partialFrameMemory();
        while (true) {
            long reserved = frameMemoryReserved.get();
            if (reserved > 0 && reserved + bytes > limit) {
                return false;
            }
            if (frameMemoryReserved.compareAndSet(reserved, reserved + bytes)) {
                return true;
            }
        }
    }

    /** Gives back a reservation (its frame arrived, or its connection closed) and wakes one waiting session. */
    void releaseFrameMemory(long bytes) {
        frameMemoryReserved.addAndGet(-bytes);
        wakeFrameMemoryWaiter();
    }

    /** {@code wakeUp} runs (on any thread) when memory may have been given back: once, then it must ask again. */
    void awaitFrameMemory(Runnable wakeUp) {
        frameMemoryWaiters.add(wakeUp);
    }

    /** Wakes the session that has waited longest for frame memory, if any. */
    void wakeFrameMemoryWaiter() {
        Runnable wakeUp = frameMemoryWaiters.poll();
        if (wakeUp != null) {
            wakeUp.run();
        }
    }

    /** Bytes reserved for large frames being received; any thread. */
    public long frameMemoryReserved() {
        return frameMemoryReserved.get();
    }

    /** Bytes all sessions hold in incomplete frames (PROTOCOL.md 7.8 point 5); any thread, a moment's sum. */
    public long partialFrameBytes() {
        return partialFrameBytes.sum();
    }

    /**
     * Bytes held in incomplete frames by connections that have published, which the memory alarm counts
     * (PROTOCOL.md 7.8 point 5); any thread, a moment's sum.
     */
    public long alarmPartialFrameBytes() {
        return alarmPartialFrameBytes.sum();
    }

    /** True while the data directory's disk has less free space than {@code store.min-free-disk}. */
    public boolean diskAlarm() {
        return diskAlarm;
    }

    /** Raises or clears the disk alarm. */
    public void diskAlarm(boolean on) {
        diskAlarm = on;
    }
}
