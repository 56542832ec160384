package io.relais.broker.net;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.broker.config.BrokerConfig;
import io.relais.protocol.ErrorCode;
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
 *   <li>the outgoing buffer may stay above the high watermark (the client does not read) for at
 *       most twice the heartbeat interval, or {@code limits.write-timeout} without heartbeats,
 *       otherwise 2013 WRITE_TIMEOUT;</li>
 *   <li>a manual-ack delivery may stay outstanding for at most {@code subscriptions.consumer-timeout};
 *       the oldest one is found in the {@link UnackedLedger} and handed to
 *       {@link Subscriptions#consumerTimedOut}.</li>
 * </ul>
 *
 * <p>At the end of every read batch it also reads from the {@link FrameDecoder} how many bytes the
 * connection's incomplete frame holds, adds the change to the broker-wide count of the
 * {@link BrokerContext} (which the memory alarm counts), raises the alarm at once when incomplete
 * frames together hold more than {@code limits.partial-frame-memory}, and tells {@link FlowControl}
 * whether the connection holds one (such a connection is not read while the alarm is raised).
 *
 * <p>Owned by the channel's event loop: every method runs there.
 */
final class ConnectionDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);
    /** The sweep runs at least this often, and at least four times per shortest timeout. */
    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final double MIB = 1024.0 * 1024.0;

    private final Session session;
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
    private long partialSince;
    private boolean unwritable;
    private long unwritableSince;

    ConnectionDeadlines(Session session, FrameDecoder decoder, BrokerContext context, FlowControl flow,
                        UnackedLedger ledger, Subscriptions subscriptions) {
        this.session = session;
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
        sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    /** A frame was decoded. */
    void frameRead() {
        framesRead++;
    }

    /** A read batch ended: what the decoder holds of an incomplete frame is counted. */
    void readComplete() {
        int held = decoder.partialBytes();
        if (held > 0 && (partialBytes == 0 || framesRead > 0)) {
            partialSince = System.nanoTime();
        }
        framesRead = 0;
        if (held == partialBytes) {
            return;
        }
        boolean over = context.partialFrameBytesChanged(held - partialBytes);
        partialBytes = held;
        flow.partialFrame(held > 0);
        if (over && !context.memoryAlarm()) {
            LOG.warn("memory alarm: incomplete frames hold {} bytes, above {} of {}; connections that publish or "
                    + "hold an incomplete frame are not read until it clears", context.partialFrameBytes(),
                    BrokerConfig.KEY_PARTIAL_FRAME_MEMORY, context.config().partialFrameMemory());
            context.memoryAlarm(true);
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
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (partialBytes > 0) {
            context.partialFrameBytesChanged(-partialBytes);
            partialBytes = 0;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        if (unwritable && writeTimeoutNanos > 0 && now - unwritableSince > writeTimeoutNanos) {
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
