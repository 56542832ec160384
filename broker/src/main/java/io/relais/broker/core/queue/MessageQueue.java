package io.relais.broker.core.queue;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FIFO queue of messages with competing consumers, whatever its {@link Backlog} keeps them in.
 *
 * <p>Owned by one {@link OwnerLoop} ({@link #loop()}): the redelivery list, the consumer list and
 * the round-robin cursor are touched only there. Any thread may {@link #enqueue} (the backlog's
 * inbox), {@link #requeue}, settle, and read the counters. Dispatch runs as a task on the owner
 * loop, scheduled at most once at a time, and hands each message to the next consumer (round
 * robin) that has credit and a writable connection: first the messages given back for redelivery,
 * then the backlog's. When no consumer can take more, messages wait, bounded by
 * {@code max-length}/{@code max-length-bytes}: the oldest are dropped ({@code drop-head}), new
 * publishes refused ({@code reject-publish}), or, by default ({@code block}), the publishers stopped
 * by the queue's {@link QueueFlow}, which dispatch re-evaluates after every batch. A dispatch batch
 * is capped by count and by payload bytes, so that queues sharing a loop take turns.
 *
 * <p><b>Fan-out fast path.</b> A {@linkplain #fanOutCandidate() candidate} (exclusive, in memory,
 * not {@code reject-publish}) also takes messages on its own loop through {@link #enqueueOnLoop}:
 * when it is idle (nothing ready, nothing to redeliver) and its only consumer is an automatic-ack
 * one that can take a message now, the message goes straight to that consumer's sink
 * ({@link DeliverySink#deliverDirect}) without passing through the backlog; otherwise it is
 * enqueued as usual, and its overflow policy applies. Since both happen on the queue's loop, and a
 * message only goes straight through while nothing waits, a consumer that falls behind and catches
 * up again sees every message in order.
 *
 * <p>Expired messages (per-queue {@code message-ttl} or per-message expiration) are dropped when
 * they reach the head of the queue; a message whose time to live is 0 is delivered if a consumer
 * can take it there and then, and dropped otherwise. Dead messages (expired, dropped by
 * {@code drop-head}, rejected without requeue) go to the dead-letter exchange when the queue has
 * one.
 */
public final class MessageQueue implements BacklogListener {
    /** Told when an auto-delete queue loses its last consumer. Called on the queue's loop. */
    public interface Listener extends DeadLetterRouter {
        /**
         * {@code queue} is auto-delete and lost its last consumer; completes once it is deleted
         * (or found to be gone already).
         */
        CompletableFuture<?> unused(MessageQueue queue);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MessageQueue.class);
    private static final int DISPATCH_BATCH = 256;
    /** Payload bytes after which a dispatch batch ends (and is rescheduled), whatever its count. */
    static final long DISPATCH_BATCH_BYTES = 1 << 20;

    private final String vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final QueueArguments arguments;
    private final String ownerConnectionId;
    private final OwnerLoop loop;
    private final Listener listener;
    private final Backlog backlog;

    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Bytes of the messages handed over to {@link #enqueueOnLoop} and not taken yet. */
    private final AtomicLong handOverBytes = new AtomicLong();
    private final Runnable dispatchTask = this::dispatch;
    private final QueueDepth depth;
    private final ReadyMessages ready;
    private final ConsumerRing consumers;
    private final DeadLettering deadLettering;
    private final QueueFlow flow;
    /** A block queue whose backlog does not wake it on every offer: {@link #enqueue} does. */
    private final boolean wakeOnOffer;
    /** How long the last message delivered had waited in the queue, -1 before the first; on the loop. */
    private long lastSojournMillis = -1;
    private volatile boolean deleted;

    /**
     * A queue over {@code backlog} (opened and recovered already; from now on owned by
     * {@code loop}).
     *
     * @param ownerConnectionId the connection that owns this exclusive queue, or null
     * @param flowLimits the broker's flow-control defaults, for a {@code block} queue
     */
    public MessageQueue(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                        QueueArguments arguments, String ownerConnectionId, OwnerLoop loop, Listener listener,
                        Backlog backlog, FlowLimits flowLimits) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.arguments = arguments;
        this.ownerConnectionId = ownerConnectionId;
        this.loop = loop;
        this.listener = listener;
        this.backlog = backlog;
        this.consumers = new ConsumerRing(name);
        this.deadLettering = new DeadLettering(name, arguments, listener);
        this.depth = new QueueDepth(arguments, backlog.recoveredCount(), backlog.recoveredBytes());
        this.ready = new ReadyMessages(backlog, depth);
        this.flow = arguments.blocks() ? new QueueFlow(this, arguments, flowLimits, backlog.storesMessages()) : null;
        this.wakeOnOffer = flow != null && backlog.storesMessages();
        backlog.start(this, loop);
        scheduleDispatch();
    }

    /** True if messages offered to this queue are written to disk, and their confirms wait for that. */
    public boolean storesMessages() {
        return backlog.storesMessages();
    }

    /**
     * The queue's flow control, which publishers consult after each publish; null unless its overflow is
     * {@code block}.
     */
    public QueueFlow flow() {
        return flow;
    }

    /**
     * Payload bytes this queue holds in memory (for the memory alarm), counting the messages
     * publishers are {@linkplain #handingOver handing over} to its loop.
     */
    public long memoryBytes() {
        return backlog.memoryBytes() + depth.redeliveryBytes() + handOverBytes.get();
    }

    /**
     * A publisher holds {@code message} for {@link #enqueueOnLoop}: until the queue's loop takes it,
     * its bytes count towards {@link #memoryBytes()}, so that the memory alarm sees messages that
     * wait for a busy loop. Any thread.
     */
    public void handingOver(Message message) {
        handOverBytes.addAndGet(message.size());
    }

    /** The virtual host the queue belongs to. */
    public String vhost() {
        return vhost;
    }

    /** The queue's name, unique in its vhost. */
    public String name() {
        return name;
    }

    /** True if the queue's definition survives a restart. */
    public boolean durable() {
        return durable;
    }

    /** True if the queue belongs to one connection and ends with it. */
    public boolean exclusive() {
        return exclusive;
    }

    /** True if the queue is deleted when its last consumer goes. */
    public boolean autoDelete() {
        return autoDelete;
    }

    /** The validated declaration arguments. */
    public QueueArguments arguments() {
        return arguments;
    }

    /** Id of the connection that owns this exclusive queue, or null. */
    public String ownerConnectionId() {
        return ownerConnectionId;
    }

    /** The loop that owns this queue. */
    public OwnerLoop loop() {
        return loop;
    }

    /** Messages waiting for delivery (approximate while publishes are in flight). */
    public long messageCount() {
        return depth.messages();
    }

    /** Payload bytes waiting for delivery. */
    public long byteCount() {
        return depth.bytes();
    }

    /** Deliveries to manual-ack consumers not yet acknowledged. */
    public long unackedCount() {
        return depth.unacked();
    }

    /** Consumers attached now. */
    public int consumerCount() {
        return consumers.size();
    }

    /** Messages offered and accepted since the queue was created (for rates). */
    public long enqueuedTotal() {
        return depth.enqueuedTotal();
    }

    /** Messages handed to consumers since the queue was created (for rates). */
    public long deliveredTotal() {
        return depth.deliveredTotal();
    }

    /** True once deleted or closed. */
    public boolean deleted() {
        return deleted;
    }

    void unackedChanged(long delta) {
        depth.unackedChanged(delta);
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
     * Offers a message as {@link #enqueue(Message)} does; a queue that stores messages tells
     * {@code waiter} (if not null) once the message is stored.
     */
    public boolean enqueue(Message message, StoreWaiter waiter) {
        if (arguments.rejectPublish() && depth.full(message.size())) {
            return false;
        }
        depth.added(message.size(), true);
        backlog.offer(message, waiter);
        if (wakeOnOffer && !flow.congested()) {
            // Dispatch re-evaluates flow control. A memory backlog wakes the queue on every offer; a stored
            // one whose read-ahead is full does not, so without this a queue whose consumers stopped would
            // never see its oldest message age.
            scheduleDispatch();
        }
        return true;
    }

    /**
     * True if publishers should hand this queue its messages on its own loop ({@link #enqueueOnLoop})
     * rather than {@link #enqueue} them from theirs: it is exclusive (so on its owner connection's
     * loop), in memory, and never refuses a publish. Fixed for the queue's life; any thread.
     */
    public boolean fanOutCandidate() {
        return exclusive && !backlog.storesMessages() && !arguments.rejectPublish();
    }

    /**
     * Offers a message on the queue's loop, as {@link #enqueue} does, except that an idle queue
     * whose only consumer is an automatic-ack one that can take it now hands it to that consumer's
     * sink directly ({@link DeliverySink#deliverDirect}), counted as enqueued and delivered. The queue
     * takes over one reference. Only for a {@link #fanOutCandidate()}, once for every
     * {@link #handingOver}; on the queue's loop only.
     */
    public void enqueueOnLoop(Message message) {
        handOverBytes.addAndGet(-message.size());
        QueueConsumer c = deleted ? null : consumers.only();
        if (c != null && !c.manualAck() && c.canTake() && ready.peek() == null
                && c.sink().deliverDirect(c, message)) {
            depth.deliveredDirectly();
            return;
        }
        enqueue(message);
    }

    @Override
    public void readable() {
        scheduleDispatch();
    }

    @Override
    public void lost(long n, long size) {
        depth.removed(n, size);
    }

    /**
     * Gives back messages that were delivered and not acknowledged, in delivery order, then runs
     * {@code afterwards} on the queue's loop in the same task: a consumer's credit returned there
     * cannot let a dispatch run before the messages are back at the head. Any thread.
     */
    public void requeue(List<Message> messages, Runnable afterwards) {
        Runnable task = () -> {
            doRequeue(messages);
            afterwards.run();
        };
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private void doRequeue(List<Message> messages) {
        for (Message m : messages) {
            if (deleted) {
                m.release();
                continue;
            }
            ready.giveBack(m);
        }
        scheduleDispatch();
    }

    /**
     * Messages delivered from this queue were acknowledged: a queue that stores messages settles
     * them in its store; their payload references are released. Any thread.
     */
    public void acked(List<Message> messages) {
        if (!backlog.storesMessages()) {
            releaseAll(messages);
        } else if (loop.inLoop()) {
            settleAll(messages);
        } else {
            loop.execute(() -> settleAll(messages));
        }
    }

    private static void releaseAll(List<Message> messages) {
        for (Message m : messages) {
            m.release();
        }
    }

    private void settleAll(List<Message> messages) {
        for (Message m : messages) {
            settleAndRelease(m);
        }
        backlog.endOfBatch();
    }

    /**
     * Messages delivered from this queue were rejected or nacked without requeue: they are
     * dead-lettered if the queue has a dead-letter exchange, settled, and released. Any thread.
     */
    public void rejected(List<Message> messages) {
        if (!backlog.storesMessages() && !arguments.deadLetters()) {
            releaseAll(messages);
        } else if (loop.inLoop()) {
            dropAll(messages);
        } else {
            loop.execute(() -> dropAll(messages));
        }
    }

    private void dropAll(List<Message> messages) {
        for (Message m : messages) {
            dead(m, "rejected");
        }
        backlog.endOfBatch();
    }

    /** A message left the queue without being consumed: dead-letter it, settle it, release it. */
    private void dead(Message m, String reason) {
        if (!deleted) {
            deadLettering.deadLetter(m, reason);
        }
        settleAndRelease(m);
    }

    private void settleAndRelease(Message m) {
        if (!deleted) {
            backlog.settle(m);
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
        if (deleted) {
            return;
        }
        dropOverLimit();
        long now = System.currentTimeMillis();
        int sent = 0;
        long sentBytes = 0;
        while (sent < DISPATCH_BATCH && sentBytes < DISPATCH_BATCH_BYTES) {
            Message m = ready.peek();
            if (m == null) {
                break;
            }
            boolean redelivered = ready.headRedelivered();
            long ttl = m.ttlMillis(arguments.messageTtlMillis());
            if (ttl > 0 && now - m.arrivalMillis() >= ttl) {
                dead(ready.poll(), "expired");
                continue;
            }
            QueueConsumer c = consumers.next();
            if (c == null) {
                if (ttl == 0) {
                    dead(ready.poll(), "expired");
                    continue;
                }
                break;
            }
            ready.poll();
            backlog.delivering(m);
            c.dispatched();
            if (c.manualAck()) {
                depth.unackedChanged(1);
            } else {
                // Automatic acknowledgement: the message is settled once handed to the connection.
                backlog.settle(m);
            }
            sentBytes += m.size();
            lastSojournMillis = now - m.arrivalMillis();
            c.sink().deliver(c, m, redelivered);
            sent++;
        }
        depth.delivered(sent);
        backlog.endOfBatch();
        if (sent == DISPATCH_BATCH || sentBytes >= DISPATCH_BATCH_BYTES) {
            scheduleDispatch();
        }
        updateFlow(now);
    }

    /**
     * Re-evaluates the queue's flow control from what is ready now; on the loop. The wait it judges by is the
     * age of the oldest ready message in memory, or, when ready messages are all still on disk (a stored
     * backlog whose read-ahead the consumers just emptied), how long the last message delivered had waited:
     * the sojourn time, as CoDel measures it. Judging only by what is in memory, a durable queue whose
     * consumer nearly kept up looked empty between two read-aheads and never stopped its publisher.
     */
    private void updateFlow(long now) {
        if (flow == null) {
            return;
        }
        Message head = ready.peek();
        long messages = depth.messages();
        long wait = head != null ? now - head.arrivalMillis() : messages > 0 ? lastSojournMillis : -1;
        flow.update(messages, depth.bytes(), consumers.size(), wait);
    }

    private void dropOverLimit() {
        if (!arguments.dropHead()) {
            return;
        }
        while (depth.overLimit()) {
            if (ready.peek() == null) {
                return;
            }
            dead(ready.poll(), "maxlen");
        }
    }

    /**
     * Adds a consumer; any thread. Completes exceptionally with a {@code CoreException} if the
     * queue is gone or an exclusive consumer rule refuses it. The consumer gets no message before
     * it is {@linkplain QueueConsumer#start() started}.
     */
    public CompletableFuture<Void> addConsumer(QueueConsumer consumer) {
        return onLoop("adding a consumer", done -> {
            if (deleted) {
                done.completeExceptionally(new CoreException(Reason.NOT_FOUND, "queue '"
                        + name + "' was deleted"));
                return;
            }
            consumers.add(consumer);
            done.complete(null);
        });
    }

    /**
     * Removes a consumer; any thread. An auto-delete queue that loses its last consumer tells its
     * listener, which deletes it. Completes once the consumer is gone and, if the queue was deleted
     * for it, the queue too.
     */
    public CompletableFuture<Void> removeConsumer(QueueConsumer consumer) {
        consumer.deactivate();
        return onLoop("removing a consumer", done -> {
            if (consumers.remove(consumer)) {
                if (autoDelete && consumers.lostLast() && !deleted) {
                    listener.unused(this).whenComplete((ok, failure) -> done.complete(null));
                    return;
                }
                scheduleDispatch();
            }
            done.complete(null);
        });
    }

    /**
     * Applies the length limits to what was offered so far, on the queue's loop, so that counts
     * read once this completes respect {@code max-length} (a stored backlog can only drop what it
     * has read back). Any thread.
     */
    public CompletableFuture<MessageQueue> applyLimits() {
        return onLoop("applying its length limits", done -> {
            if (!deleted) {
                dropOverLimit();
                backlog.endOfBatch();
            }
            done.complete(this);
        });
    }

    /**
     * The first {@code max} messages waiting for delivery, in delivery order, as {@code view} makes them (on
     * the queue's loop; it must copy what it needs, as the messages stay in the queue), without removing them,
     * settling them or counting them as delivered; expired ones are left out. A durable queue shows what its
     * backlog holds in memory ({@link Backlog#peekReady}). Any thread; completes on the loop.
     *
     * @param view makes a result of a message and whether it may have been delivered before
     */
    public <T> CompletableFuture<List<T>> peek(int max, BiFunction<Message, Boolean, T> view) {
        return onLoop("peek", done -> {
            List<T> out = new ArrayList<>();
            if (!deleted && max > 0) {
                long now = System.currentTimeMillis();
                ready.peekReady((m, possiblyDelivered) -> {
                    if (!m.expired(now, arguments.messageTtlMillis())) {
                        out.add(view.apply(m, possiblyDelivered));
                    }
                    return out.size() < max;
                });
            }
            done.complete(out);
        });
    }

    /**
     * Drops every message waiting for delivery, without dead-lettering; completes with how many, or
     * exceptionally if the backlog could not drop them. Any thread.
     */
    public CompletableFuture<Long> purge() {
        return onLoop("purge", done -> {
            long n = dropReadable();
            backlog.purgeUnread().whenComplete((purged, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                    return;
                }
                depth.removed(purged.count(), purged.bytes());
                scheduleDispatch();
                done.complete(n + purged.count());
            });
        });
    }

    /** Settles and releases the redeliveries and what the backlog can give out now. On the loop. */
    private long dropReadable() {
        long n = 0;
        while (ready.peek() != null) {
            settleAndRelease(ready.poll());
            n++;
        }
        backlog.endOfBatch();
        return n;
    }

    /**
     * Deletes the queue: its consumers are told (CANCELLED), its messages dropped and its backlog's
     * files deleted; later enqueues are released. Completes with the number of messages dropped once
     * the backlog is gone (its files deleted), also when part of that failed (logged here). Any
     * thread; idempotent.
     */
    public CompletableFuture<Long> delete(String reason) {
        return onLoop("delete", done -> {
            if (deleted) {
                done.complete(0L);
                return;
            }
            long n = depth.messages();
            shutDownBacklog(reason, true).whenComplete((ok, never) -> done.complete(n));
        });
    }

    /**
     * Closes the queue for broker shutdown: consumers are told, in-memory messages are released, a
     * stored backlog writes what was offered and closes, keeping its messages for the next start.
     * Any thread.
     */
    public CompletableFuture<Void> close() {
        return onLoop("close", done -> {
            if (deleted) {
                done.complete(null);
                return;
            }
            shutDownBacklog("server shutting down", false).whenComplete((ok, never) -> done.complete(null));
        });
    }

    /**
     * Runs {@code task} on the loop with the future it completes. Whatever it throws fails that
     * future (and is logged with this queue and {@code what}, unless it is a refusal), so that no
     * caller waits forever and nothing escapes to the loop as a bare task failure. Any thread.
     */
    private <T> CompletableFuture<T> onLoop(String what, Consumer<CompletableFuture<T>> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                task.accept(done);
            } catch (RuntimeException | Error e) {
                if (!(e instanceof CoreException)) {
                    LOG.error("{}: {} failed", this, what, e);
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * On the loop: marks the queue deleted, tells the consumers, releases the redeliveries, then
     * deletes or closes the backlog. The result completes normally once the backlog is done, even if
     * a step failed: the failure is logged with this queue's name, and the caller (a delete or close
     * others wait for) goes on.
     */
    private CompletableFuture<Void> shutDownBacklog(String reason, boolean delete) {
        String what = delete ? "delete" : "close";
        try {
            finish(reason);
        } catch (RuntimeException e) {
            LOG.error("{}: could not end its consumers cleanly on {}", this, what, e);
        }
        CompletableFuture<Void> gone;
        try {
            gone = delete ? backlog.delete() : backlog.close();
        } catch (RuntimeException e) {
            gone = CompletableFuture.failedFuture(e);
        }
        return gone.handle((ok, error) -> {
            if (error != null) {
                LOG.error("{}: could not {} its backlog cleanly", this, what, error);
            }
            return null;
        });
    }

    private void finish(String reason) {
        deleted = true;
        if (flow != null) {
            flow.releaseAll();
        }
        backlog.endOfBatch();
        consumers.clear(c -> {
            c.deactivate();
            c.sink().cancelled(c, Reason.QUEUE_DELETED, reason);
        });
        ready.releaseRedeliveries();
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
