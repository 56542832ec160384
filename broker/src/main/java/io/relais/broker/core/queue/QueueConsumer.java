package io.relais.broker.core.queue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subscription's place on a queue: who gets the messages and how many may be outstanding.
 *
 * <p>Outstanding means dispatched and not yet settled: for manual-ack consumers settled is
 * acknowledged (the limit is the prefetch), for automatic-ack consumers settled is written to the
 * connection (the limit is a fixed window that bounds the work queued between threads). The queue's
 * loop increments the counter, the connection's loop decrements it; when a decrement reopens the
 * window the queue is woken. Thread-safe through that atomic counter; the rest is immutable.
 */
public final class QueueConsumer {
    /** Most automatic-ack deliveries in flight between a queue and a connection. */
    public static final int AUTO_ACK_WINDOW = 512;

    private final MessageQueue queue;
    private final DeliverySink sink;
    private final long sid;
    private final boolean manualAck;
    private final boolean exclusive;
    private final int limit;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean active = true;
    private volatile boolean started;

    /** A consumer of {@code queue} that gets nothing until {@link #start()}; add it with {@link MessageQueue#addConsumer}. */
    public QueueConsumer(MessageQueue queue, DeliverySink sink, long sid, boolean manualAck, int prefetch,
                         boolean exclusive) {
        this.queue = queue;
        this.sink = sink;
        this.sid = sid;
        this.manualAck = manualAck;
        this.exclusive = exclusive;
        this.limit = manualAck ? prefetch : AUTO_ACK_WINDOW;
    }

    /** The queue consumed from. */
    public MessageQueue queue() {
        return queue;
    }

    /** Where deliveries go. */
    public DeliverySink sink() {
        return sink;
    }

    /** The subscription id the front end gave it. */
    public long sid() {
        return sid;
    }

    /** True if deliveries wait for an acknowledgement. */
    public boolean manualAck() {
        return manualAck;
    }

    /** True if it must be the queue's only consumer. */
    public boolean exclusive() {
        return exclusive;
    }

    /** False once cancelled or its connection closed. */
    public boolean active() {
        return active;
    }

    void deactivate() {
        active = false;
    }

    /** Marks the consumer as gone; the queue stops dispatching to it. Any thread. */
    public void cancel() {
        active = false;
    }

    /**
     * Lets the queue deliver to this consumer; any thread. A front end calls it once it has told its
     * client that the subscription exists, so that no delivery overtakes that answer.
     */
    public void start() {
        started = true;
        queue.scheduleDispatch();
    }

    boolean canTake() {
        return started && active && outstanding.get() < limit && sink.isWritable();
    }

    void dispatched() {
        outstanding.incrementAndGet();
    }

    /** {@code n} deliveries were settled; wakes the queue if that reopens the window. Any thread. */
    public void settled(int n) {
        int before = outstanding.getAndAdd(-n);
        if (before >= limit && before - n < limit) {
            queue.scheduleDispatch();
        }
        if (manualAck) {
            queue.unackedChanged(-n);
        }
    }
}
