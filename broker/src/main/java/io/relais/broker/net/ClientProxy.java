package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.RateLimitedLog;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy: sends frames to one client. Frames are written without a flush; the session flushes once
 * per read batch, and work that runs outside a read batch (deliveries handed over by queues,
 * answers completed on other loops) either flushes itself or asks for one flush with
 * {@link #scheduleFlush()}, so a burst costs one flush, not one per frame.
 *
 * <p>Also the one place that turns a failure into the ERROR frame that answers a request
 * (PROTOCOL.md 1.7: every request gets exactly one answer), or reports a connection-level problem
 * with ERROR(0, code).
 *
 * <p>Owned by the channel's event loop: every method must run there, except {@link #isWritable()}.
 */
final class ClientProxy {
    private static final Logger LOG = LoggerFactory.getLogger(ClientProxy.class);
    private static final RateLimitedLog FAILED_REQUESTS = RateLimitedLog.every(LOG);

    private final Channel channel;
    private final String connectionId;
    private final Runnable flushTask = this::flushScheduled;
    private boolean flushScheduled;

    ClientProxy(Channel channel, String connectionId) {
        this.channel = channel;
        this.connectionId = connectionId;
    }

    /** Writes a frame without flushing. */
    void write(Frame frame) {
        channel.write(frame, channel.voidPromise());
    }

    /** Writes frames already encoded (whole frames, in order), without flushing; takes over the buffer. */
    void writeEncoded(ByteBuf frames) {
        channel.write(frames, channel.voidPromise());
    }

    /** Writes a frame and flushes everything written so far. */
    void writeAndFlush(Frame frame) {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** Writes and flushes a frame, then closes the socket once it is written. */
    void writeAndClose(Frame frame) {
        channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Writes and flushes a frame, then closes the socket once it is written, or after
     * {@code graceMillis} if it is not written by then (a client that does not read).
     */
    void writeAndClose(Frame frame, long graceMillis) {
        ChannelFuture written = channel.writeAndFlush(frame);
        written.addListener(ChannelFutureListener.CLOSE);
        if (!written.isDone()) {
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Flushes everything written so far. */
    void flush() {
        channel.flush();
    }

    /** Flushes once the current task ends; cheap when a flush is already scheduled. */
    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushScheduled() {
        flushScheduled = false;
        channel.flush();
    }

    /** True while the channel's outgoing buffer is below its high watermark; any thread. */
    boolean isWritable() {
        return channel.isWritable();
    }

    /** Reports a problem not tied to a request: ERROR(0, code), which does not close the connection. */
    void error(ErrorCode code, String message) {
        write(new ErrorFrame(0, code.code(), message));
    }

    /**
     * Answers request {@code requestId} with the ERROR that {@code failure} stands for: its code if
     * it is a {@link ProtocolException} or the core's {@link CoreException} (possibly wrapped by a
     * future), otherwise 2010 INTERNAL_ERROR,
     * logged. The caller has made sure the code does not close the connection.
     */
    void answerError(long requestId, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProtocolException pe) {
            write(new ErrorFrame(requestId, pe.code().code(), pe.getMessage()));
        } else if (cause instanceof CoreException ce) {
            write(new ErrorFrame(requestId, Reasons.code(ce.reason()).code(), ce.getMessage()));
        } else {
            FAILED_REQUESTS.error("connection {}: request {} failed", connectionId, requestId, cause);
            write(new ErrorFrame(requestId, ErrorCode.INTERNAL_ERROR.code(), "internal error: " + cause));
        }
    }
}
