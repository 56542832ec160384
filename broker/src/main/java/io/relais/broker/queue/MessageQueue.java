package io.relais.broker.queue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import io.relais.broker.store.FsyncPolicy;
import io.relais.broker.store.MessageStore;
import io.relais.broker.store.StoreException;
import io.relais.broker.store.StoredMessage;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Publish;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * reach the head of the queue. Dead messages (expired, dropped by {@code drop-head}, rejected without
 * requeue) go to the dead-letter exchange when the queue has one.
 *
 * <p>A durable queue has a {@link MessageStore}, owned by the same loop: offered messages are
 * appended to it in batches (then synced if the fsync policy says {@code always}) and their
 * publishers' {@link StoreWaiter}s told; dispatch reads them back through a small read-ahead, so
 * the heap holds neither the backlog nor an index of it. Acknowledged, dropped and expired messages
 * are settled in the store and never read again, even after a restart.
 */
public final class MessageQueue {
    /** Told when an auto-delete queue loses its last consumer. Called on the queue's loop. */
    public interface Listener extends DeadLetterRouter {
        void unused(MessageQueue queue);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MessageQueue.class);
    private static final int DISPATCH_BATCH = 256;
    private static final int READ_AHEAD = 256;
    private static final int READ_AHEAD_BYTES = 4 * 1024 * 1024;
    private static final long MAINTAIN_MILLIS = 1000;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A message offered to a durable queue, and who waits for it to be stored. */
    private record Offer(Message message, StoreWaiter waiter) {
    }

    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final QueueArguments arguments;
    private final String ownerConnectionId;
    private final EventLoop loop;
    private final Listener listener;

    private final Queue<Message> inbox = PlatformDependent.newMpscQueue();
    private final Queue<Offer> storeInbox;
    private final MessageStore store;
    private final FsyncPolicy fsync;
    private final AtomicLong pendingStoreBytes = new AtomicLong();
    private final List<StoreWaiter> storedWaiters = new ArrayList<>();
    private ScheduledFuture<?> maintenance;
    private long lastMaintain;
    private int readAheadBytes;
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

    /** An in-memory queue. */
    public MessageQueue(String name, boolean durable, boolean exclusive, boolean autoDelete, QueueArguments arguments,
                        String ownerConnectionId, EventLoop loop, Listener listener) {
        this(name, durable, exclusive, autoDelete, arguments, ownerConnectionId, loop, listener, null,
                FsyncPolicy.DEFAULT);
    }

    /**
     * A queue whose messages live in {@code store} (opened and recovered already; from now on owned
     * by {@code loop}), or in memory when {@code store} is null.
     */
    public MessageQueue(String name, boolean durable, boolean exclusive, boolean autoDelete, QueueArguments arguments,
                        String ownerConnectionId, EventLoop loop, Listener listener, MessageStore store,
                        FsyncPolicy fsync) {
        this.store = store;
        this.fsync = fsync;
        this.storeInbox = store == null ? null : PlatformDependent.newMpscQueue();
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.arguments = arguments;
        this.ownerConnectionId = ownerConnectionId;
        this.loop = loop;
        this.listener = listener;
        if (store != null) {
            count.set(store.count());
            bytes.set(store.bytes());
            long period = fsync.mode() == FsyncPolicy.Mode.INTERVAL
                    ? Math.min(fsync.interval().toMillis(), MAINTAIN_MILLIS) : MAINTAIN_MILLIS;
            maintenance = loop.scheduleAtFixedRate(this::maintain, period, period, TimeUnit.MILLISECONDS);
            scheduleDispatch();
        }
    }

    /** True if messages offered to this queue are written to disk, and their confirms wait for that. */
    public boolean storesMessages() {
        return store != null;
    }

    /** Payload bytes this queue holds in memory (for the memory alarm); a durable queue's backlog is on disk. */
    public long memoryBytes() {
        return store == null ? bytes.get() : pendingStoreBytes.get();
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
        return enqueue(message, null);
    }

    /**
     * Offers a message as {@link #enqueue(Message)} does; a durable queue tells {@code waiter} (if
     * not null) once the message is stored.
     */
    public boolean enqueue(Message message, StoreWaiter waiter) {
        if (arguments.rejectPublish() && full(message.size())) {
            return false;
        }
        count.incrementAndGet();
        bytes.addAndGet(message.size());
        if (store != null) {
            pendingStoreBytes.addAndGet(message.size());
            storeInbox.offer(new Offer(message, waiter));
        } else {
            inbox.offer(message);
        }
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

    /**
     * Messages delivered from this queue were acknowledged: a durable queue settles them in its
     * store; their payload references are released. Any thread.
     */
    public void acked(List<Message> messages) {
        if (store == null) {
            for (Message m : messages) {
                m.release();
            }
        } else if (loop.inEventLoop()) {
            settleAll(messages);
        } else {
            loop.execute(() -> settleAll(messages));
        }
    }

    private void settleAll(List<Message> messages) {
        for (Message m : messages) {
            settleAndRelease(m);
        }
    }

    /**
     * Messages delivered from this queue were rejected or nacked without requeue: they are
     * dead-lettered if the queue has a dead-letter exchange, settled, and released. Any thread.
     */
    public void rejected(List<Message> messages) {
        if (store == null && !arguments.deadLetters()) {
            for (Message m : messages) {
                m.release();
            }
        } else if (loop.inEventLoop()) {
            dropAll(messages, "rejected");
        } else {
            loop.execute(() -> dropAll(messages, "rejected"));
        }
    }

    private void dropAll(List<Message> messages, String reason) {
        for (Message m : messages) {
            dead(m, reason);
        }
    }

    /** A message left the queue without being consumed: dead-letter it, settle it, release it. */
    private void dead(Message m, String reason) {
        if (arguments.deadLetters() && !deleted) {
            Properties p = m.properties();
            Map<String, Object> headers = p.headers() == null ? new HashMap<>() : new HashMap<>(p.headers());
            if (!"rejected".equals(reason) && name.equals(headers.get("x-death-queue"))) {
                // It already died here once: a dead-letter cycle without a consumer in it; RabbitMQ
                // drops such messages too.
                LOG.debug("{}: dropping a message that would cycle through dead-lettering", this);
            } else {
                long deaths = headers.get("x-death-count") instanceof Long n ? n : 0;
                headers.put("x-death-reason", reason);
                headers.put("x-death-queue", name);
                headers.put("x-death-exchange", m.exchange());
                headers.put("x-death-routing-key", m.routingKey());
                headers.put("x-death-count", deaths + 1);
                Properties dp = p.toBuilder().headers(headers).expiration(null).build();
                String key = arguments.deadLetterRoutingKey() != null ? arguments.deadLetterRoutingKey()
                        : m.routingKey();
                Message copy = new Message(arguments.deadLetterExchange(), key, dp, m.persistent(),
                        m.payload().retain(), System.currentTimeMillis());
                listener.deadLetter(arguments.deadLetterExchange(), key, copy);
            }
        }
        settleAndRelease(m);
    }

    private void settleAndRelease(Message m) {
        if (store != null && m.storeSeq() >= 0 && !deleted) {
            try {
                store.settle(m.storeSeq(), m.size());
            } catch (RuntimeException e) {
                LOG.error("{}: could not record the settlement of message {}; it may be delivered again after a "
                        + "restart", this, m.storeSeq(), e);
            }
        }
        m.release();
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
            boolean redelivered = headIsRedelivery();
            Message m = redelivered ? redeliveries.peekFirst() : readyHead();
            if (m == null) {
                return;
            }
            if (m.expired(now, arguments.messageTtlMillis())) {
                dead(removeHead(redelivered), "expired");
                continue;
            }
            QueueConsumer c = nextConsumer();
            if (c == null) {
                return;
            }
            removeHead(redelivered);
            if (m.storeSeq() >= 0) {
                store.delivering(m.storeSeq());
            }
            c.dispatched();
            if (c.manualAck()) {
                unacked.incrementAndGet();
            } else if (m.storeSeq() >= 0) {
                // Automatic acknowledgement: the message is settled once handed to the connection.
                store.settle(m.storeSeq(), m.size());
            }
            c.sink().deliver(c, m, redelivered);
            sent++;
        }
        scheduleDispatch();
    }

    /** The first ready message, reading ahead from the store when the in-memory part is empty. */
    private Message readyHead() {
        Message m = ready.peekFirst();
        if (m == null && store != null && store.hasUnread()) {
            fillReadAhead();
            m = ready.peekFirst();
        }
        return m;
    }

    /** True if the head comes from the redeliveries; reads ahead first so that recovered ones count. */
    private boolean headIsRedelivery() {
        if (redeliveries.isEmpty() && ready.isEmpty() && store != null && store.hasUnread()) {
            fillReadAhead();
        }
        return !redeliveries.isEmpty();
    }

    private void fillReadAhead() {
        while (ready.size() < READ_AHEAD && readAheadBytes < READ_AHEAD_BYTES) {
            StoredMessage sm;
            try {
                sm = store.readNext(ALLOC);
            } catch (RuntimeException e) {
                LOG.error("{}: cannot read its store; delivery stops until the queue is reopened", this, e);
                return;
            }
            if (sm == null) {
                return;
            }
            Publish f = sm.frame();
            Message m = new Message(f.exchange(), f.routingKey(), f.properties(), (f.flags() & Publish.PERSISTENT) != 0,
                    f.payload(), sm.arrivalMillis(), sm.seq());
            if (sm.possiblyDelivered()) {
                // Read before the last restart: it may have reached a consumer. These are the oldest
                // messages, so putting them with the redeliveries keeps the order.
                redeliveries.addLast(m);
                continue;
            }
            readAheadBytes += m.size();
            ready.addLast(m);
        }
    }

    private Message removeHead(boolean redelivered) {
        Message m = redelivered ? redeliveries.pollFirst() : ready.pollFirst();
        if (!redelivered && store != null) {
            readAheadBytes -= m.size();
        }
        count.decrementAndGet();
        bytes.addAndGet(-m.size());
        return m;
    }

    private void drainInbox() {
        if (store != null) {
            drainToStore();
        } else {
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
        }
        if (!arguments.rejectPublish()) {
            while (overLimit() && (headIsRedelivery() || readyHead() != null)) {
                dead(removeHead(!redeliveries.isEmpty()), "maxlen");
            }
        }
    }

    /** Appends offered messages to the store, syncs if the policy says so, then tells their waiters. */
    private void drainToStore() {
        Offer o;
        while ((o = storeInbox.poll()) != null) {
            Message m = o.message();
            int size = m.size();
            pendingStoreBytes.addAndGet(-size);
            boolean ok = true;
            if (deleted) {
                count.decrementAndGet();
                bytes.addAndGet(-size);
            } else {
                try {
                    store.append(m.exchange(), m.routingKey(), m.properties(), m.persistent(), m.payload(),
                            m.arrivalMillis());
                } catch (StoreException e) {
                    LOG.error("{}: {}", this, e.getMessage());
                    count.decrementAndGet();
                    bytes.addAndGet(-size);
                    ok = false;
                }
            }
            m.release();
            if (o.waiter() != null) {
                if (ok) {
                    storedWaiters.add(o.waiter());
                } else {
                    o.waiter().stored(false);
                }
            }
        }
        if (storedWaiters.isEmpty()) {
            return;
        }
        boolean synced = true;
        if (fsync.mode() == FsyncPolicy.Mode.ALWAYS && !deleted) {
            try {
                store.sync();
            } catch (RuntimeException e) {
                LOG.error("{}: sync failed; the messages of this batch are nacked", this, e);
                synced = false;
            }
        }
        for (int i = 0; i < storedWaiters.size(); i++) {
            storedWaiters.get(i).stored(synced);
        }
        storedWaiters.clear();
    }

    /** Periodic: sync (interval policy), checkpoint and file retention. On the loop. */
    private void maintain() {
        if (deleted) {
            return;
        }
        try {
            if (fsync.mode() == FsyncPolicy.Mode.INTERVAL) {
                store.sync();
            }
            long now = System.currentTimeMillis();
            if (now - lastMaintain >= MAINTAIN_MILLIS) {
                lastMaintain = now;
                store.maintain();
            }
        } catch (RuntimeException e) {
            LOG.error("{}: store maintenance failed", this, e);
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
        loop.execute(() -> done.complete(dropReady()));
        return done;
    }

    /** Drops (settles, without dead-lettering) every message waiting for delivery. On the loop. */
    private long dropReady() {
        drainInbox();
        long n = 0;
        while (headIsRedelivery() || readyHead() != null) {
            settleAndRelease(removeHead(!redeliveries.isEmpty()));
            n++;
        }
        return n;
    }

    /**
     * Deletes the queue: its consumers are told (CANCELLED), its messages dropped and its store's
     * files deleted; later enqueues are released. Completes with the number of messages dropped.
     * Any thread; idempotent.
     */
    public CompletableFuture<Long> delete(String reason) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (deleted) {
                done.complete(0L);
                return;
            }
            long n = store == null ? dropReady() : count.get();
            finish(reason);
            if (store != null) {
                store.delete();
            }
            done.complete(n);
        });
        return done;
    }

    /**
     * Closes the queue for broker shutdown: consumers are told, in-memory messages are released, a
     * durable queue's store is checkpointed, synced and closed, keeping its messages for the next
     * start. Any thread.
     */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (deleted) {
                done.complete(null);
                return;
            }
            if (store == null) {
                dropReady();
            } else {
                drainToStore();
            }
            finish("server shutting down");
            if (store != null) {
                try {
                    store.close();
                } catch (RuntimeException e) {
                    LOG.error("{}: could not close its store cleanly", this, e);
                }
            }
            done.complete(null);
        });
        return done;
    }

    private void finish(String reason) {
        deleted = true;
        if (maintenance != null) {
            maintenance.cancel(false);
        }
        for (QueueConsumer c : consumers) {
            c.deactivate();
            c.sink().cancelled(c, ErrorCode.QUEUE_DELETED, reason);
        }
        consumers.clear();
        consumerCount = 0;
        releaseInMemory();
    }

    /** Releases what the heap holds: ready (read-ahead) and redelivery messages, and the inboxes. */
    private void releaseInMemory() {
        Message m;
        while ((m = redeliveries.pollFirst()) != null) {
            m.release();
        }
        while ((m = ready.pollFirst()) != null) {
            m.release();
        }
        readAheadBytes = 0;
        while ((m = inbox.poll()) != null) {
            m.release();
        }
        if (storeInbox != null) {
            Offer o;
            while ((o = storeInbox.poll()) != null) {
                o.message().release();
                if (o.waiter() != null) {
                    o.waiter().stored(true);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
