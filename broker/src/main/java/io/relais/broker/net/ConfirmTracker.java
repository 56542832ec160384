package io.relais.broker.net;

import io.relais.broker.core.queue.StoreWaiter;
import io.relais.broker.metrics.LoopCounter;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Confirm;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The confirms of one connection's publishes (PROTOCOL.md 6.2): exactly one CONFIRM per sequence
 * number, in sequence order. A run of acks goes out as one CONFIRM ({@code multiple} when it covers
 * several); each nack goes out alone, after the acks before it. A publish that waits for durable
 * queues to store it holds back the confirms of every later publish, which queue up behind it.
 *
 * <p>Owned by the channel's event loop. The {@link Waiter}s it hands out are told on the queues'
 * loops when a message is stored; the last one to count down hands the flush back to this loop.
 */
final class ConfirmTracker {
    /**
     * A publish whose confirm waits: for durable queues to store it, or for an earlier publish that
     * waits. Durable queues count {@code remaining} down on their loops; the rest is read on the
     * connection's loop.
     */
    final class Waiter implements StoreWaiter {
        private final long seq;
        private final AtomicInteger remaining;
        private volatile int errorCode;

        private Waiter(long seq, int stores) {
            this.seq = seq;
            this.remaining = new AtomicInteger(stores);
        }

        @Override
        public void stored(boolean ok) {
            if (!ok) {
                errorCode = ErrorCode.STORE_FAILED.code();
            }
            if (remaining.decrementAndGet() == 0) {
                storesDone();
            }
        }

        /** {@code queues} durable queues refused the message (full), so they will not report a store for it. */
        void notOffered(int queues) {
            remaining.addAndGet(-queues);
        }

        /**
         * Every queue has been offered the message: drops the count that held the confirm open
         * while offering; {@code queueFull} turns it into a nack 1006.
         */
        void offered(boolean queueFull) {
            if (queueFull) {
                errorCode = ErrorCode.QUEUE_FULL.code();
            }
            stored(true);
        }
    }

    private final Session session;
    private final ClientProxy out;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flushAfterStore;
    private long ackSeq;
    private int ackCount;

    ConfirmTracker(Session session, ClientProxy out) {
        this.session = session;
        this.out = out;
    }

    /** Publish {@code seq} (> 0) is accepted: acked in order with the confirms still waiting. */
    void ack(long seq) {
        if (waiting.isEmpty()) {
            ackSeq = seq;
            ackCount++;
        } else {
            waiting.addLast(new Waiter(seq, 0));
        }
    }

    /** Publish {@code seq} (> 0) is refused with {@code code}: nacked in order with the others. */
    void nack(long seq, ErrorCode code) {
        if (waiting.isEmpty()) {
            writeAcks();
            session.counters().increment(LoopCounter.NACKED);
            out.write(new Confirm(seq, false, false, code.code()));
        } else {
            Waiter refused = new Waiter(seq, 0);
            refused.errorCode = code.code();
            waiting.addLast(refused);
        }
    }

    /**
     * The confirm of publish {@code seq} (> 0), about to be offered to queues of which
     * {@code stores} store it: a waiter that holds it open until {@link Waiter#offered} and every
     * store, or null when nothing can delay it (no store, nothing waiting before it): then the
     * caller acks or nacks it itself.
     */
    Waiter await(long seq, int stores) {
        if (stores == 0 && waiting.isEmpty()) {
            return null;
        }
        Waiter waiter = new Waiter(seq, stores + 1);
        waiting.addLast(waiter);
        return waiter;
    }

    /** Writes the confirms that are due, without flushing: the acks as one CONFIRM, nacks alone, in order. */
    void flush() {
        Waiter head;
        while ((head = waiting.peekFirst()) != null && head.remaining.get() == 0) {
            waiting.pollFirst();
            if (head.errorCode == 0) {
                ackSeq = head.seq;
                ackCount++;
            } else {
                writeAcks();
                session.counters().increment(LoopCounter.NACKED);
                out.write(new Confirm(head.seq, false, false, head.errorCode));
            }
        }
        writeAcks();
    }

    private void writeAcks() {
        if (ackCount > 0) {
            session.counters().add(LoopCounter.CONFIRMED, ackCount);
            out.write(new Confirm(ackSeq, true, ackCount > 1, 0));
            ackCount = 0;
        }
    }

    /** A waiter reached zero; any thread. */
    private void storesDone() {
        if (flushScheduled.compareAndSet(false, true)) {
            session.loop().execute(flushTask);
        }
    }

    private void flushAfterStore() {
        flushScheduled.set(false);
        if (session.carriesTraffic()) {
            flush();
            out.flush();
            if (waiting.isEmpty()) {
                session.confirmsDone();
            }
        }
    }

    /** True while some confirm waits for a store (or for one before it). */
    boolean pending() {
        return !waiting.isEmpty();
    }
}
