package io.relais.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.broker.config.BrokerConfig;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.FrameDecoder;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounds on what one connection may hold and for how long (PROTOCOL.md 3.4, 7.8 points 6 and 7,
 * 7.9), checked by one periodic sweep on the connection's event loop, so that no timer is scheduled
 * per frame or per delivery:
 *
 * <ul>
 *   <li>an incomplete frame must be complete within {@code limits.frame-timeout} plus
 *       {@code limits.frame-timeout-per-mib} for each MiB of its declared length, otherwise 2012
 *       FRAME_TIMEOUT;</li>
 *   <li>the outgoing buffer may stay above the high watermark while the client reads nothing of it
 *       for at most twice the heartbeat interval, or {@code limits.write-timeout} without
 *       heartbeats, otherwise 2013 WRITE_TIMEOUT; the clock starts again whenever the socket took
 *       some of the buffer since the last sweep (the buffer's first message changed or was partly
 *       written, or the buffer shrank, as Netty's {@code IdleStateHandler} observes output), so a
 *       client that reads steadily but slowly behind a large backlog is not closed;</li>
 *   <li>a manual-ack delivery may stay outstanding for at most {@code subscriptions.consumer-timeout};
 *       the oldest one is found in the {@link UnackedLedger} and handed to
 *       {@link Subscriptions#consumerTimedOut}.</li>
 * </ul>
 *
 * <p>After every socket read ({@link FrameMeter}) it also reads from the {@link FrameDecoder} how many bytes the
 * connection's incomplete frame holds and adds the change to the broker-wide count of the
 * {@link BrokerContext}, which the memory alarm counts. A frame larger than 64 KiB that did not
 * arrive in one read must be admitted: its declared length is reserved against
 * {@code limits.partial-frame-memory}; until that succeeds the connection is not read
 * ({@link FlowControl#waitingForFrameMemory}) and waits its turn. An admitted frame is never held up
 * for memory, so frames being received always finish (or time out) and give their memory back:
 * no set of half-received frames can wait on each other. The frame timeout runs while a frame waits
 * to be admitted and while the memory alarm pauses the connection (so an incomplete frame cannot hold
 * the alarm up), and stops while the broker does not read the connection for its other reasons
 * ({@link FlowControl#frameClockStopped}).
 *
 * <p>Owned by the channel's event loop: every method runs there.
 */
final class ConnectionDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);
    /** The sweep runs at least this often, and at least four times per shortest timeout. */
    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final double MIB = 1024.0 * 1024.0;
    /** Frames up to this size (the handshake's limit, length prefix included) need no reservation. */
    private static final long SMALL_FRAME = ProtocolVersion.HANDSHAKE_MAX_FRAME_SIZE + ProtocolVersion.LENGTH_PREFIX_BYTES;

    private final Session session;
    private final Channel channel;
    private final EventLoop loop;
    private final FrameDecoder decoder;
    private final BrokerContext context;
    private final FlowControl flow;
    private final UnackedLedger ledger;
    private final Subscriptions subscriptions;
    private final long frameTimeoutNanos;
    private final long frameTimeoutPerMibNanos;
    private final long consumerTimeoutNanos;
    private long writeTimeoutNanos;
    private ScheduledFuture<?> sweep;
    /** Frames decoded since the last read batch ended: a partial frame held now is then a new one. */
    private int framesRead;
    private int partialBytes;
    /** The part of {@link #partialBytes} the memory alarm counts: all of it once the connection published. */
    private int alarmBytes;
    private long partialSince;
    private long lastSweep;
    private boolean unwritable;
    private long unwritableSince;
    /** The outgoing buffer's first message, its progress and its size at the last sweep. */
    private Object lastOutput;
    private long lastOutputProgress;
    private long lastPendingBytes;
    /** The incomplete frame held now may be received (small, or its memory is reserved). */
    private boolean admitted;
    /** Bytes reserved for the incomplete frame held now. */
    private long reserved;
    /** Waiting for frame memory; not read meanwhile. */
    private boolean waiting;
    private boolean closed;
    private final Runnable wakeUp;

    ConnectionDeadlines(Session session, Channel channel, FrameDecoder decoder, BrokerContext context,
                        FlowControl flow, UnackedLedger ledger, Subscriptions subscriptions) {
        this.session = session;
        this.channel = channel;
        this.loop = session.loop();
        this.decoder = decoder;
        this.context = context;
        this.flow = flow;
        this.ledger = ledger;
        this.subscriptions = subscriptions;
        BrokerConfig config = context.config();
        this.frameTimeoutNanos = config.frameTimeout().toNanos();
        this.frameTimeoutPerMibNanos = config.frameTimeoutPerMib().toNanos();
        this.consumerTimeoutNanos = config.consumerTimeout().toNanos();
        this.wakeUp = () -> loop.execute(this::retryAdmission);
    }

    /**
     * The connection is open (READY sent): the sweep starts. {@code heartbeatMillis} is the
     * negotiated interval, 0 when heartbeats are off.
     */
    void start(long heartbeatMillis) {
        writeTimeoutNanos = heartbeatMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(2 * heartbeatMillis)
                : context.config().writeTimeout().toNanos();
        long period = Math.min(MAX_PERIOD_NANOS, frameTimeoutNanos / 4);
        if (writeTimeoutNanos > 0) {
            period = Math.min(period, writeTimeoutNanos / 4);
        }
        if (consumerTimeoutNanos > 0) {
            period = Math.min(period, consumerTimeoutNanos / 4);
        }
        period = Math.max(period, MIN_PERIOD_NANOS);
        lastSweep = System.nanoTime();
        sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    /** A frame was decoded. */
    void frameRead() {
        framesRead++;
    }

    /**
     * A socket read was decoded: what the decoder holds of an incomplete frame is counted, and admitted
     * if it is large. Called after every read, not once per read batch, so that a connection whose frame
     * must wait stops after one read.
     */
    void afterRead() {
        if (closed) {
            return;
        }
        int held = decoder.partialBytes();
        if (framesRead > 0 || held == 0) {
            // The frame held before, if any, is complete: its reservation goes back.
            admitted = false;
            releaseReservation();
            if (held > 0) {
                partialSince = System.nanoTime();
            }
        } else if (partialBytes == 0) {
            partialSince = System.nanoTime();
        }
        framesRead = 0;
        if (held != partialBytes) {
            context.partialFrameBytesChanged(held - partialBytes);
            partialBytes = held;
        }
        int counted = flow.publisher() ? held : 0;
        if (counted != alarmBytes) {
            context.alarmPartialFrameBytesChanged(counted - alarmBytes);
            alarmBytes = counted;
        }
        if (held >= ProtocolVersion.LENGTH_PREFIX_BYTES && !admitted && !waiting) {
            admit();
        }
    }

    private void admit() {
        long need = decoder.partialLength() + ProtocolVersion.LENGTH_PREFIX_BYTES;
        if (need <= SMALL_FRAME) {
            admitted = true;
        } else if (context.reserveFrameMemory(need)) {
            reserved = need;
            admitted = true;
        } else {
            if (LOG.isDebugEnabled()) {
                LOG.debug("connection {}: frame of {} bytes waits for frame memory ({} reserved, limit {} of {})",
                        session.connectionId(), need, context.frameMemoryReserved(),
                        BrokerConfig.KEY_PARTIAL_FRAME_MEMORY, context.config().partialFrameMemory());
            }
            waiting = true;
            flow.waitingForFrameMemory(true);
            context.awaitFrameMemory(wakeUp);
        }
    }

    /** Woken by a reservation given back: asks again, and passes the wake-up on if this session no longer needs it. */
    private void retryAdmission() {
        if (closed || !waiting) {
            context.wakeFrameMemoryWaiter();
            return;
        }
        long need = decoder.partialLength() + ProtocolVersion.LENGTH_PREFIX_BYTES;
        if (context.reserveFrameMemory(need)) {
            reserved = need;
            admitted = true;
            waiting = false;
            flow.waitingForFrameMemory(false);
            context.wakeFrameMemoryWaiter();
        } else {
            context.awaitFrameMemory(wakeUp);
        }
    }

    private void releaseReservation() {
        if (reserved > 0) {
            long bytes = reserved;
            reserved = 0;
            context.releaseFrameMemory(bytes);
        }
    }

    /** The channel's writability changed. */
    void writabilityChanged(boolean writable) {
        if (!writable && !unwritable) {
            unwritableSince = System.nanoTime();
        }
        unwritable = !writable;
    }

    /** The socket closed: the sweep stops and the connection's incomplete frame no longer counts. */
    void closed() {
        closed = true;
        waiting = false;
        admitted = false;
        releaseReservation();
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (partialBytes > 0) {
            context.partialFrameBytesChanged(-partialBytes);
            partialBytes = 0;
        }
        if (alarmBytes > 0) {
            context.alarmPartialFrameBytesChanged(-alarmBytes);
            alarmBytes = 0;
        }
    }

    /**
     * True if the socket took some of the outgoing buffer since the last sweep: its first flushed message
     * is another one or more of it was written, or the buffer holds fewer bytes (new writes only add).
     */
    private boolean outputMoved() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        Object current = buffer.current();
        long progress = buffer.currentProgress();
        long pending = buffer.totalPendingWriteBytes();
        boolean moved = current != lastOutput || progress != lastOutputProgress || pending < lastPendingBytes;
        lastOutput = current;
        lastOutputProgress = progress;
        lastPendingBytes = pending;
        return moved;
    }

    private void sweep() {
        long now = System.nanoTime();
        if (partialBytes > 0 && flow.frameClockStopped()) {
            partialSince += now - lastSweep; // not read for the broker's own reasons: the clock stops
        }
        lastSweep = now;
        if (outputMoved() || !unwritable) {
            unwritableSince = now;
        } else if (writeTimeoutNanos > 0 && now - unwritableSince > writeTimeoutNanos) {
            session.writeTimedOut(TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos));
            return;
        }
        if (!session.carriesTraffic()) {
            return;
        }
        if (partialBytes > 0) {
            long length = decoder.partialLength();
            long allowed = frameTimeoutNanos + (length > 0 ? (long) (length / MIB * frameTimeoutPerMibNanos) : 0);
            if (now - partialSince > allowed) {
                session.fatal(ErrorCode.FRAME_TIMEOUT, (length > 0 ? "frame of " + length + " bytes" : "frame")
                        + " not complete within " + TimeUnit.NANOSECONDS.toMillis(allowed) + " ms ("
                        + partialBytes + " bytes received; " + BrokerConfig.KEY_FRAME_TIMEOUT + " plus "
                        + BrokerConfig.KEY_FRAME_TIMEOUT_PER_MIB + " per MiB)");
                return;
            }
        }
        if (consumerTimeoutNanos > 0) {
            long tag;
            while (session.isOpen() && (tag = ledger.overdue(now - consumerTimeoutNanos)) != 0) {
                subscriptions.consumerTimedOut(tag, TimeUnit.NANOSECONDS.toMillis(consumerTimeoutNanos));
            }
        }
    }
}
