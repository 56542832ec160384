package io.relais.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.SharedDeliver;
import java.util.ArrayList;
import java.util.List;

/**
 * What one group of fan-out deliveries on this thread shares: the DELIVER tail
 * ({@link FrameEncoder#encodeDeliverTail}) of the message being fanned out, encoded once, for the
 * first subscriber on this loop that takes the message on the fast path, and used by the others
 * ({@link SharedDeliver}, or copied into their batch); and the connections that hold a batch of
 * small deliveries not written yet ({@link Subscriptions#writeBatch}), which the end of the group
 * writes.
 *
 * <p>One per thread (each event loop has its own); valid while one {@code FanoutBatch} group runs
 * there, whose end {@linkplain #clear() clears} it, so that no tail outlives the group and no batch
 * waits beyond it.
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
    private final List<Subscriptions> batching = new ArrayList<>();

    private DeliverTails() {
    }

    /** The tail of {@code message}, with a new reference for the caller; on the delivering loop. */
    static ByteBuf retainedTail(WireMessage message) {
        return CURRENT.get().tailOf(message).retain();
    }

    /** The tail of {@code message}, valid until the group ends; on the delivering loop. */
    static ByteBuf tail(WireMessage message) {
        return CURRENT.get().tailOf(message);
    }

    /** {@code subscriptions} started a batch: the end of the group writes it. */
    static void batching(Subscriptions subscriptions) {
        CURRENT.get().batching.add(subscriptions);
    }

    /** The group of deliveries ended: writes every batch, releases the current tail. */
    static void clear() {
        DeliverTails current = CURRENT.get();
        current.writeBatches();
        current.release();
    }

    private void writeBatches() {
        for (int i = 0; i < batching.size(); i++) {
            batching.get(i).writeBatch();
        }
        batching.clear();
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
