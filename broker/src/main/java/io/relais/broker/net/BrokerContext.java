package io.relais.broker.net;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.manage.ManagementView;
import io.relais.broker.core.routing.Topology;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every session shares: configuration, the topology, authentication, the set of live
 * sessions, the bytes all of them hold in incomplete frames, and the memory alarm. Thread-safe:
 * the byte count is a {@link LongAdder} each session adds its changes to from its own loop, and
 * raising or clearing the alarm is serialized, so that every session sees the changes in order.
 */
public final class BrokerContext {
    private final BrokerConfig config;
    private final Topology topology;
    private final Authenticator authenticator;
    private final String serverVersion;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final NettyLoops loops;
    private final ManagementView view;
    private final AtomicLong connectionCounter = new AtomicLong();
    private final LongAdder partialFrameBytes = new LongAdder();
    private final String instanceTag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private volatile boolean memoryAlarm;
    private volatile boolean diskAlarm;

    /** What the sessions of a broker share; {@code loops} are its network event loops. */
    public BrokerContext(BrokerConfig config, Topology topology, NettyLoops loops, String serverVersion) {
        this.config = config;
        this.topology = topology;
        this.loops = loops;
        this.view = new ManagementView(topology, sessions);
        this.authenticator = new Authenticator(config);
        this.serverVersion = serverVersion;
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

    /** The model. */
    public Topology topology() {
        return topology;
    }

    /** Checks AUTH frames. */
    public Authenticator authenticator() {
        return authenticator;
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

    /**
     * A session's incomplete frames now hold {@code delta} bytes more (or fewer, when negative).
     *
     * @return true when all sessions together now hold more than {@code limits.partial-frame-memory}
     */
    boolean partialFrameBytesChanged(long delta) {
        partialFrameBytes.add(delta);
        return delta > 0 && partialFrameBytes.sum() > config.partialFrameMemory();
    }

    /** Bytes all sessions hold in incomplete frames (PROTOCOL.md 7.8 point 5); any thread, a moment's sum. */
    public long partialFrameBytes() {
        return partialFrameBytes.sum();
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
