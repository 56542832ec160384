package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.SharedDeliver;

/**
 * The shared DELIVER tail ({@link FrameEncoder#encodeDeliverTail}) of the message this thread is
 * fanning out: encoded once, for the first subscriber on this loop that takes the message on the
 * fast path, and handed to the others with a reference each ({@link SharedDeliver}).
 *
 * <p>One per thread (each event loop has its own); valid while one {@code FanoutBatch} group runs
 * there, whose end {@linkplain #clear() clears} it, so that no tail outlives the group.
 */
final class DeliverTails {
    private static final FastThreadLocal<DeliverTails> CURRENT = new FastThreadLocal<>() {
        @Override
        protected DeliverTails initialValue() {
            return new DeliverTails();
        }
    };

    private WireMessage message;
    private ByteBuf tail;

    private DeliverTails() {
    }

    /** The tail of {@code message}, with a new reference for the caller; on the delivering loop. */
    static ByteBuf retainedTail(WireMessage message) {
        return CURRENT.get().tailOf(message).retain();
    }

    /** Releases the current tail: the group of deliveries that shared it has ended. */
    static void clear() {
        CURRENT.get().release();
    }

    private ByteBuf tailOf(WireMessage m) {
        if (m != message) {
            release();
            tail = FrameEncoder.encodeDeliverTail(m.exchange(), m.routingKey(), m.properties(), m.payload(),
                    ByteBufAllocator.DEFAULT);
            message = m;
        }
        return tail;
    }

    private void release() {
        if (tail != null) {
            tail.release();
            tail = null;
        }
        message = null;
    }
}
