package io.relais.broker.queue;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import io.relais.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory FIFO queue of messages with competing consumers.
 *
 * <p>Owned by one event loop ({@link #loop()}): the ready lists, the consumer list and the
 * round-robin cursor are touched only there. Any thread may {@link #enqueue} (a lock-free inbox,
 * drained by the owner), {@link #requeue}, and read the counters. Dispatch runs as a task on the
 * owner loop, scheduled at most once at a time, and hands each message to the next consumer (round
 * robin) that has credit and a writable connection. When no consumer can take more, messages wait
 * here, bounded by {@code max-length}/{@code max-length-bytes}: the oldest are dropped
 * ({@code drop-head}) or new publishes refused ({@code reject-publish}).
 *
 * <p>Expired messages (per-queue {@code message-ttl} or per-message expiration) are dropped when they
 * reach the head of the queue.
 */
public final class MessageQueue {
    /** Told when an auto-delete queue loses its last consumer. Called on the queue's loop. */
    public interface Listener {
        void unused(MessageQueue queue);
    }

    private static final int DISPATCH_BATCH = 256;

    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final QueueArguments arguments;
    private final String ownerConnectionId;
    private final EventLoop loop;
    private final Listener listener;

    private final Queue<Message> inbox = PlatformDependent.newMpscQueue();
    private final ArrayDeque<Message> redeliveries = new ArrayDeque<>();
    private final ArrayDeque<Message> ready = new ArrayDeque<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong unacked = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable dispatchTask = this::dispatch;
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private volatile int consumerCount;
    private volatile boolean deleted;
    private boolean hadConsumer;
    private int cursor;

    public MessageQueue(String name, boolean durable, boolean exclusive, boolean autoDelete, QueueArguments arguments,
                        String ownerConnectionId, EventLoop loop, Listener listener) {
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.arguments = arguments;
        this.ownerConnectionId = ownerConnectionId;
        this.loop = loop;
        this.listener = listener;
    }

    public String name() {
        return name;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public QueueArguments arguments() {
        return arguments;
    }

    /** Id of the connection that owns this exclusive queue, or null. */
    public String ownerConnectionId() {
        return ownerConnectionId;
    }

    /** The event loop that owns this queue. */
    public EventLoop loop() {
        return loop;
    }

    /** Messages waiting for delivery (approximate while publishes are in flight). */
    public long messageCount() {
        return count.get();
    }

    /** Payload bytes waiting for delivery. */
    public long byteCount() {
        return bytes.get();
    }

    /** Deliveries to manual-ack consumers not yet acknowledged. */
    public long unackedCount() {
        return unacked.get();
    }

    public int consumerCount() {
        return consumerCount;
    }

    public boolean deleted() {
        return deleted;
    }

    void unackedChanged(long delta) {
        unacked.addAndGet(delta);
    }

    /**
     * Offers a message; any thread. On success the queue owns one reference to the payload, which
     * the caller must have retained for it.
     *
     * @return false if the queue is full and its overflow is {@code reject-publish}; the caller
     *     keeps the reference then
     */
    public boolean enqueue(Message message) {
        if (arguments.rejectPublish() && full(message.size())) {
            return false;
        }
        count.incrementAndGet();
        bytes.addAndGet(message.size());
        inbox.offer(message);
        scheduleDispatch();
        return true;
    }

    private boolean full(int extraBytes) {
        return (arguments.maxLength() > 0 && count.get() >= arguments.maxLength())
                || (arguments.maxLengthBytes() > 0 && bytes.get() + extraBytes > arguments.maxLengthBytes());
    }

    private boolean overLimit() {
        return (arguments.maxLength() > 0 && count.get() > arguments.maxLength())
                || (arguments.maxLengthBytes() > 0 && bytes.get() > arguments.maxLengthBytes());
    }

    /** Gives back messages that were delivered and not acknowledged, in delivery order; any thread. */
    public void requeue(List<Message> messages) {
        if (loop.inEventLoop()) {
            doRequeue(messages);
        } else {
            loop.execute(() -> doRequeue(messages));
        }
    }

    private void doRequeue(List<Message> messages) {
        for (Message m : messages) {
            if (deleted) {
                m.release();
                continue;
            }
            redeliveries.addLast(m);
            count.incrementAndGet();
            bytes.addAndGet(m.size());
        }
        scheduleDispatch();
    }

    /** Asks the owner loop to run dispatch; cheap when already scheduled. Any thread. */
    public void scheduleDispatch() {
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(dispatchTask);
        }
    }

    private void dispatch() {
        scheduled.set(false);
        drainInbox();
        if (deleted) {
            return;
        }
        long now = System.currentTimeMillis();
        int sent = 0;
        while (sent < DISPATCH_BATCH) {
            boolean redelivered = !redeliveries.isEmpty();
            Message m = redelivered ? redeliveries.peekFirst() : ready.peekFirst();
            if (m == null) {
                return;
            }
            if (m.expired(now, arguments.messageTtlMillis())) {
                removeHead(redelivered).release();
                continue;
            }
            QueueConsumer c = nextConsumer();
            if (c == null) {
                return;
            }
            removeHead(redelivered);
            c.dispatched();
            if (c.manualAck()) {
                unacked.incrementAndGet();
            }
            c.sink().deliver(c, m, redelivered);
            sent++;
        }
        scheduleDispatch();
    }

    private Message removeHead(boolean redelivered) {
        Message m = redelivered ? redeliveries.pollFirst() : ready.pollFirst();
        count.decrementAndGet();
        bytes.addAndGet(-m.size());
        return m;
    }

    private void drainInbox() {
        Message m;
        while ((m = inbox.poll()) != null) {
            if (deleted) {
                count.decrementAndGet();
                bytes.addAndGet(-m.size());
                m.release();
            } else {
                ready.addLast(m);
            }
        }
        if (!arguments.rejectPublish()) {
            while (overLimit() && (!redeliveries.isEmpty() || !ready.isEmpty())) {
                removeHead(!redeliveries.isEmpty()).release();
            }
        }
    }

    private QueueConsumer nextConsumer() {
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

    /**
     * Adds a consumer; any thread. Completes exceptionally with a {@link QueueException} if the
     * queue is gone or an exclusive consumer rule refuses it.
     */
    public CompletableFuture<Void> addConsumer(QueueConsumer consumer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (deleted) {
                done.completeExceptionally(new QueueException(ErrorCode.NOT_FOUND, "queue '" + name + "' was deleted"));
            } else if (!consumers.isEmpty() && (consumer.exclusive() || consumers.get(0).exclusive())) {
                done.completeExceptionally(new QueueException(ErrorCode.RESOURCE_LOCKED, "queue '" + name
                        + "' has " + (consumer.exclusive() ? "consumers" : "an exclusive consumer")));
            } else {
                consumers.add(consumer);
                consumerCount = consumers.size();
                hadConsumer = true;
                done.complete(null);
                scheduleDispatch();
            }
        });
        return done;
    }

    /** Removes a consumer; any thread. An auto-delete queue that loses its last consumer tells its listener. */
    public void removeConsumer(QueueConsumer consumer) {
        consumer.deactivate();
        loop.execute(() -> {
            if (consumers.remove(consumer)) {
                consumerCount = consumers.size();
                if (cursor >= consumers.size()) {
                    cursor = 0;
                }
                if (consumers.isEmpty() && autoDelete && hadConsumer && !deleted) {
                    listener.unused(this);
                } else {
                    scheduleDispatch();
                }
            }
        });
    }

    /** Drops every ready message; completes with how many. Any thread. */
    public CompletableFuture<Long> purge() {
        CompletableFuture<Long> done = new CompletableFuture<>();
        loop.execute(() -> done.complete(dropAll()));
        return done;
    }

    private long dropAll() {
        drainInbox();
        long n = 0;
        while (!redeliveries.isEmpty() || !ready.isEmpty()) {
            removeHead(!redeliveries.isEmpty()).release();
            n++;
        }
        return n;
    }

    /**
     * Deletes the queue: its consumers are told (CANCELLED), its messages dropped; later enqueues
     * are released. Completes with the number of messages dropped. Any thread; idempotent.
     */
    public CompletableFuture<Long> delete(String reason) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (deleted) {
                done.complete(0L);
                return;
            }
            long n = dropAll();
            deleted = true;
            for (QueueConsumer c : consumers) {
                c.deactivate();
                c.sink().cancelled(c, ErrorCode.QUEUE_DELETED, reason);
            }
            consumers.clear();
            consumerCount = 0;
            drainInbox();
            done.complete(n);
        });
        return done;
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
