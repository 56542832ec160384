package io.relais.broker.net;

import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueConsumer;
import io.relais.broker.metrics.LoopCounter;
import io.relais.broker.metrics.LoopCounters;
import io.relais.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The delivery tags of one connection and its ledger of manual-ack deliveries not settled yet
 * (PROTOCOL.md 7.3, 7.4): issues a tag per DELIVER, settles ACK, NACK and REJECT (one tag, or every
 * outstanding tag up to one with {@code multiple}) and gives the messages back to their queues:
 * acks in one hand-off per queue per read batch, the rest at once, and everything still outstanding
 * (requeued) when the connection closes. An unknown tag is reported with ERROR(0, 1009) and settles
 * nothing.
 *
 * <p>Each outstanding delivery records when it was issued, so that the consumer timeout can find the
 * oldest one: tags grow with time, so it is the lowest outstanding tag, which {@link #overdue} finds
 * by walking up from where its last call stopped (each tag is passed once over the connection's
 * life, and not at all while nothing is outstanding).
 *
 * <p>Owned by the channel's event loop.
 */
final class UnackedLedger {
    /** A delivery to a manual-ack subscription that is not settled yet. */
    private record Unacked(QueueConsumer consumer, Message message, long issuedAt) {
    }

    private enum Outcome { ACKED, REQUEUED, REJECTED }

    private final ClientProxy out;
    private final LoopCounters counters;
    private final LongObjectMap<Unacked> unacked = new LongObjectHashMap<>();
    private final Map<MessageQueue, List<Message>> ackBatch = new IdentityHashMap<>();
    private long lastTag;
    private long ackFloor = 1;
    /** No tag below it is outstanding; where {@link #overdue} starts. */
    private long oldestFloor = 1;

    UnackedLedger(ClientProxy out, LoopCounters counters) {
        this.out = out;
        this.counters = counters;
    }

    /**
     * The tag of the next DELIVER; a delivery to a manual-ack consumer stays outstanding under it
     * until it is settled.
     */
    long issue(QueueConsumer consumer, Message message) {
        long tag = ++lastTag;
        counters.increment(LoopCounter.DELIVERED);
        if (consumer.manualAck()) {
            unacked.put(tag, new Unacked(consumer, message, System.nanoTime()));
        }
        return tag;
    }

    /** ACK: the messages are done; handed to their queues at the end of the read batch. */
    void ack(long tag, boolean multiple) {
        if (multiple) {
            List<Unacked> acked = takeUpTo(tag);
            counters.add(LoopCounter.ACKED, acked.size());
            settle(acked, Outcome.ACKED);
            return;
        }
        Unacked u = unacked.remove(tag);
        if (u == null) {
            unknownTag(tag);
            return;
        }
        counters.increment(LoopCounter.ACKED);
        u.consumer().settled(1);
        ackBatch.computeIfAbsent(u.consumer().queue(), q -> new ArrayList<>()).add(u.message());
    }

    /** NACK or REJECT: back to their queues ({@code requeue}) or dropped or dead-lettered. */
    void nack(long tag, boolean multiple, boolean requeue) {
        List<Unacked> settled;
        if (multiple) {
            settled = takeUpTo(tag);
        } else {
            Unacked u = unacked.remove(tag);
            if (u == null) {
                unknownTag(tag);
                return;
            }
            settled = List.of(u);
        }
        settle(settled, requeue ? Outcome.REQUEUED : Outcome.REJECTED);
    }

    /** Hands the acknowledgements of this read batch to their queues: one hand-off per queue, not per ack. */
    void flushAcks() {
        if (ackBatch.isEmpty()) {
            return;
        }
        for (Map.Entry<MessageQueue, List<Message>> e : ackBatch.entrySet()) {
            e.getKey().acked(e.getValue());
        }
        ackBatch.clear();
    }

    /** Deliveries outstanding; read by the management view from any thread, so possibly stale. */
    int outstanding() {
        return unacked.size();
    }

    /**
     * The tag of the oldest outstanding delivery if it was issued before {@code issuedBefore} (a
     * {@link System#nanoTime()} value), otherwise 0.
     */
    long overdue(long issuedBefore) {
        if (unacked.isEmpty()) {
            oldestFloor = lastTag + 1;
            return 0;
        }
        long t = Math.max(oldestFloor, ackFloor);
        while (t <= lastTag) {
            Unacked u = unacked.get(t);
            if (u != null) {
                oldestFloor = t;
                return u.issuedAt() - issuedBefore < 0 ? t : 0;
            }
            t++;
        }
        oldestFloor = t;
        return 0;
    }

    /** The consumer an outstanding delivery was made to, or null if {@code tag} is not outstanding. */
    QueueConsumer consumerOf(long tag) {
        Unacked u = unacked.get(tag);
        return u == null ? null : u.consumer();
    }

    /**
     * Every outstanding delivery of {@code consumer} goes back to its queue, flagged redelivered
     * (the consumer timeout); their tags are no longer outstanding.
     *
     * @return how many were requeued
     */
    int requeueAllOf(QueueConsumer consumer) {
        long[] tags = new long[unacked.size()];
        int n = 0;
        for (LongObjectMap.PrimitiveEntry<Unacked> e : unacked.entries()) {
            if (e.value().consumer() == consumer) {
                tags[n++] = e.key();
            }
        }
        Arrays.sort(tags, 0, n);
        List<Unacked> taken = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            taken.add(unacked.remove(tags[i]));
        }
        settle(taken, Outcome.REQUEUED);
        return n;
    }

    /** The connection closed: every outstanding delivery goes back to its queue. */
    void requeueAll() {
        if (!unacked.isEmpty()) {
            settle(takeRange(lastTag), Outcome.REQUEUED);
        }
    }

    /**
     * Removes and returns every outstanding delivery with a tag up to {@code tag}, in tag order; the
     * tag itself must be outstanding, otherwise nothing is settled and the client gets 1009.
     */
    private List<Unacked> takeUpTo(long tag) {
        if (!unacked.containsKey(tag)) {
            unknownTag(tag);
            return List.of();
        }
        return takeRange(tag);
    }

    private List<Unacked> takeRange(long upTo) {
        List<Unacked> list = new ArrayList<>();
        for (long t = ackFloor; t <= upTo; t++) {
            Unacked u = unacked.remove(t);
            if (u != null) {
                list.add(u);
            }
        }
        ackFloor = Math.max(ackFloor, upTo + 1);
        return list;
    }

    /** Settles deliveries, handing their messages back to their queues in one batch per queue. */
    private static void settle(List<Unacked> settled, Outcome outcome) {
        if (settled.isEmpty()) {
            return;
        }
        Map<MessageQueue, List<Unacked>> byQueue = new LinkedHashMap<>();
        for (Unacked u : settled) {
            byQueue.computeIfAbsent(u.consumer().queue(), q -> new ArrayList<>()).add(u);
        }
        byQueue.forEach((q, list) -> {
            List<Message> messages = new ArrayList<>(list.size());
            for (Unacked u : list) {
                messages.add(u.message());
            }
            if (outcome == Outcome.REQUEUED) {
                // Credit comes back on the queue's loop once the messages are at its head, so that
                // they are redelivered first (PROTOCOL.md 7.6).
                q.requeue(messages, () -> settleCredit(list));
                return;
            }
            settleCredit(list);
            if (outcome == Outcome.ACKED) {
                q.acked(messages);
            } else {
                q.rejected(messages);
            }
        });
    }

    private static void settleCredit(List<Unacked> settled) {
        for (Unacked u : settled) {
            u.consumer().settled(1);
        }
    }

    private void unknownTag(long tag) {
        out.error(ErrorCode.UNKNOWN_DELIVERY_TAG, "delivery tag " + tag + " is not outstanding");
    }
}
