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
 * {@link Router} adds to it per message; the connection {@linkplain #flush() flushes} it at the end
 * of each read batch: the messages for its own loop are offered at once, those for every other loop
 * go there as one task per loop, in which each queue takes them with
 * {@link MessageQueue#enqueueOnLoop} (the fast path) in publish order.
 *
 * <p>Since a candidate's messages from one connection always come through here, and one
 * connection's tasks for one loop run in the order they were given, a queue takes a publisher's
 * messages in publish order whichever way each goes on.
 *
 * <p>Owned by the publishing connection's thread; not thread-safe. A task it hands over owns its list.
 */
public final class FanoutBatch {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutBatch.class);

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

    /** Holds {@code message} for {@code queue}, which takes over one reference to it at the next flush. */
    void add(MessageQueue queue, Message message) {
        OwnerLoop loop = queue.loop();
        List<Object> list = null;
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i) == loop) {
                list = pending.get(i);
                break;
            }
        }
        if (list == null) {
            loops.add(loop);
            list = new ArrayList<>();
            pending.add(list);
        }
        list.add(queue);
        list.add(message);
        size++;
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
        size = 0;
        for (int i = 0; i < loops.size(); i++) {
            List<Object> list = pending.get(i);
            if (list.isEmpty()) {
                continue;
            }
            OwnerLoop loop = loops.get(i);
            if (loop.inLoop()) {
                run(list);
                list.clear();
            } else {
                pending.set(i, new ArrayList<>(list.size()));
                loop.execute(() -> run(list));
            }
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
