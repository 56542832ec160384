package io.relais.broker.core.queue;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The consumers of one queue, taken in turn: round-robin with a cursor, skipping those without
 * credit or a writable connection, and the exclusive-consumer rule.
 *
 * <p>Owned by the queue's loop; {@link #size()} may be read from any thread.
 */
final class ConsumerRing {
    private final String queueName;
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private volatile int size;
    private boolean hadConsumer;
    private int cursor;

    ConsumerRing(String queueName) {
        this.queueName = queueName;
    }

    /**
     * Adds a consumer.
     *
     * @throws CoreException {@code RESOURCE_LOCKED} if it or a present consumer is exclusive
     */
    void add(QueueConsumer consumer) {
        if (!consumers.isEmpty() && (consumer.exclusive() || consumers.get(0).exclusive())) {
            throw new CoreException(Reason.RESOURCE_LOCKED, "queue '" + queueName + "' has "
                    + (consumer.exclusive() ? "consumers" : "an exclusive consumer"));
        }
        consumers.add(consumer);
        size = consumers.size();
        hadConsumer = true;
    }

    /** Removes a consumer; true if it was there. */
    boolean remove(QueueConsumer consumer) {
        if (!consumers.remove(consumer)) {
            return false;
        }
        size = consumers.size();
        if (cursor >= consumers.size()) {
            cursor = 0;
        }
        return true;
    }

    /** The next consumer that can take a message now, or null. */
    QueueConsumer next() {
        int n = consumers.size();
        for (int i = 0; i < n; i++) {
            int index = (cursor + i) % n;
            QueueConsumer c = consumers.get(index);
            if (c.canTake()) {
                cursor = (index + 1) % n;
                return c;
            }
        }
        return null;
    }

    /** The consumer if there is exactly one, else null. */
    QueueConsumer only() {
        return consumers.size() == 1 ? consumers.get(0) : null;
    }

    /** True once the last consumer of a queue that ever had one left. */
    boolean lostLast() {
        return consumers.isEmpty() && hadConsumer;
    }

    /** Removes every consumer, handing each to {@code action}. */
    void clear(Consumer<QueueConsumer> action) {
        for (QueueConsumer c : consumers) {
            action.accept(c);
        }
        consumers.clear();
        size = 0;
    }

    /** Consumers attached now; any thread. */
    int size() {
        return size;
    }
}
