package io.relais.broker.core.routing;

import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages one publishing connection routed to {@linkplain MessageQueue#fanOutCandidate()
 * fan-out candidates} and has not handed over yet, grouped by the loop that owns each queue. The
 * {@link Router} adds to it per message. Every {@link #HAND_OVER_AT} deliveries for a loop, and at
 * the end of each read batch, when the connection {@linkplain #flush() flushes} it, they are handed
 * on: those for the connection's own loop are offered at once, those for another loop go there as
 * one task, in which each queue takes them with {@link MessageQueue#enqueueOnLoop} (the fast path)
 * in publish order.
 *
 * <p>Since a candidate's messages from one connection always come through here, and one
 * connection's tasks for one loop run in the order they were given, a queue takes a publisher's
 * messages in publish order whichever way each goes on.
 *
 * <p>Owned by the publishing connection's thread; not thread-safe. A task it hands over owns its list.
 */
public final class FanoutBatch {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutBatch.class);
    /**
     * Deliveries held for one loop after which they are handed over without waiting for the flush:
     * a read batch can bring thousands of messages, and holding them all would add its whole
     * processing time to every message's wait (which a {@code block} queue's flow-max-delay counts)
     * and keep the queues' loops idle while this one reads. Not much smaller either: each hand-over
     * ends in one flush per subscriber on that loop, so it sets how many deliveries a write carries
     * (with 5 subscribers on a loop, about 100, close to a queue's dispatch batch of 256).
     */
    static final int HAND_OVER_AT = 512;

    private final Runnable afterRun;
    private final List<OwnerLoop> loops = new ArrayList<>(4);
    /** Per loop of {@link #loops}: queue, message, queue, message, ... */
    private final List<List<Object>> pending = new ArrayList<>(4);
    private int size;

    /**
     * @param afterRun runs on the queues' loop after each group of messages was offered there (the
     *     front end releases what it shared between the deliveries of that group)
     */
    public FanoutBatch(Runnable afterRun) {
        this.afterRun = afterRun;
    }

    /**
     * Holds {@code message} for {@code queue}, which takes over one reference to it at the next flush,
     * or now if {@link #HAND_OVER_AT} deliveries wait for its loop.
     */
    void add(MessageQueue queue, Message message) {
        OwnerLoop loop = queue.loop();
        int index = loops.indexOf(loop);
        if (index < 0) {
            index = loops.size();
            loops.add(loop);
            pending.add(new ArrayList<>(2 * HAND_OVER_AT));
        }
        queue.handingOver(message);
        List<Object> list = pending.get(index);
        list.add(queue);
        list.add(message);
        size++;
        if (list.size() >= 2 * HAND_OVER_AT) {
            handOver(loop, list, index);
        }
    }

    /** True if nothing waits for a flush. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Hands every held message to its queue: now for this thread's loop, one task for each other loop. */
    public void flush() {
        if (size == 0) {
            return;
        }
        for (int i = 0; i < loops.size(); i++) {
            List<Object> list = pending.get(i);
            if (!list.isEmpty()) {
                handOver(loops.get(i), list, i);
            }
        }
        size = 0;
    }

    private void handOver(OwnerLoop loop, List<Object> list, int index) {
        size -= list.size() / 2;
        if (loop.inLoop()) {
            run(list);
            list.clear();
        } else {
            pending.set(index, new ArrayList<>(2 * HAND_OVER_AT));
            loop.execute(() -> run(list));
        }
    }

    private void run(List<Object> list) {
        try {
            for (int i = 0; i < list.size(); i += 2) {
                MessageQueue q = (MessageQueue) list.get(i);
                Message m = (Message) list.get(i + 1);
                try {
                    q.enqueueOnLoop(m);
                } catch (RuntimeException e) {
                    LOG.error("{}: could not take a message", q, e);
                }
            }
        } finally {
            afterRun.run();
        }
    }
}
