package io.relais.broker.store;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.RateLimitedLog;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.queue.BacklogListener;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.StoreWaiter;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.frame.Publish;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable queue's backlog in a {@link MessageStore}, with every disk operation on the store's
 * thread (one of the {@link StoreThreads}) and the results handed back to the queue's loop.
 *
 * <p>Writing: publishers' offers go into a lock-free inbox that the store thread drains in batches of at
 * most {@link #APPEND_BATCH_BYTES} (the rest then waits behind the thread's other tasks, the reads for
 * consumers among them, so that reads and appends take turns): append each, sync once per batch when
 * the fsync policy says {@code always} (after {@link StoreFaults#beforeSync}), then tell the publishers' {@link StoreWaiter}s. Reading: the
 * queue's loop grants the store thread a credit of messages and bytes; the store thread reads that
 * many into buffers and hands them over in batches, and spends the rest of the credit on messages
 * as they are appended, so a queue whose consumers keep up gets each message in the same store task
 * that appended it. The credit bounds what is in memory ({@value #READ_AHEAD} messages,
 * 4 MiB); the read mark that makes a restart flag messages as possibly delivered moves as they are
 * read, before any can reach a consumer. Settles are gathered on the loop and handed over once a
 * batch.
 *
 * <p>Threading: {@link #offer} and {@link #memoryBytes} on any thread; the other {@link Backlog}
 * methods on the queue's loop; fields are commented with the thread that owns them.
 */
public final class StoredBacklog implements Backlog {
    private static final Logger LOG = LoggerFactory.getLogger(StoredBacklog.class);
    /** Failures that repeat per batch while a store is broken: one line, then a count. */
    private final RateLimitedLog failureLines = RateLimitedLog.every(LOG);
    static final int READ_AHEAD = 256;
    /** Records {@link #scanRecovered} reads per task. */
    private static final int SCAN_SLICE = 4096;
    private static final long READ_AHEAD_BYTES = 4L * 1024 * 1024;
    /**
     * Payload bytes one append task writes at most before it hands its batch's confirms out and lets the
     * store thread's other tasks (reads for the consumers, settles) run: as much as one read-ahead, so that
     * a consumer behind a producer of large messages is not starved by one append task per unconfirmed window.
     */
    static final long APPEND_BATCH_BYTES = READ_AHEAD_BYTES;
    private static final long MAINTAIN_MILLIS = 1000;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A message offered by a publisher, and who waits for it to be stored. */
    private record Offer(Message message, StoreWaiter waiter) {
    }

    /** Settles gathered on the loop, for the store thread. */
    private static final class SettleBatch {
        long[] seqs = new long[64];
        int[] sizes = new int[64];
        int n;

        void add(long seq, int size) {
            if (n == seqs.length) {
                seqs = Arrays.copyOf(seqs, n * 2);
                sizes = Arrays.copyOf(sizes, n * 2);
            }
            seqs[n] = seq;
            sizes[n] = size;
            n++;
        }

        boolean isEmpty() {
            return n == 0;
        }
    }

    private final String name;
    private final MessageStore store;
    private final ScheduledExecutorService storeThread;
    private final FsyncPolicy fsync;
    private final StoreFaults faults;
    private final long recoveredCount;
    private final long recoveredBytes;

    // Any thread.
    private final Queue<Offer> offers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean appendScheduled = new AtomicBoolean();
    private final Runnable appendTask = () -> appendOffers(APPEND_BATCH_BYTES);
    private final AtomicLong offeredBytes = new AtomicLong();
    private volatile BacklogListener listener;
    private volatile OwnerLoop owner;

    // Store thread.
    private final List<StoreWaiter> storedWaiters = new ArrayList<>();
    private int creditCount;
    private long creditBytes;
    private boolean storeClosed;
    private ScheduledFuture<?> maintenance;
    private long lastMaintain;
    /** Appends are being refused for want of disk space (logged once per change). */
    private boolean refusingForSpace;
    private boolean maintenanceFailing;
    private boolean readFailing;

    // Queue loop.
    private final ArrayDeque<Message> recovered = new ArrayDeque<>();
    private final ArrayDeque<Message> readAhead = new ArrayDeque<>();
    /** Written on the loop only; volatile so that {@link #memoryBytes()} may read it anywhere. */
    private volatile long readAheadBytes;
    private int grantedCount;
    private long grantedBytes;
    private SettleBatch settles = new SettleBatch();
    private long deliveredUpTo = -1;
    private int purging;
    private long purgedWhileReading;
    private long purgedBytesWhileReading;
    private boolean closed;

    /**
     * A backlog over {@code store} (opened and recovered on the calling thread, which then leaves it
     * alone), from now on driven by {@code storeThread}.
     */
    public StoredBacklog(String name, MessageStore store, ScheduledExecutorService storeThread, FsyncPolicy fsync,
                         StoreFaults faults) {
        this.name = name;
        this.store = store;
        this.storeThread = storeThread;
        this.fsync = fsync;
        this.faults = faults;
        this.recoveredCount = store.count();
        this.recoveredBytes = store.bytes();
    }

    @Override
    public boolean storesMessages() {
        return true;
    }

    @Override
    public long recoveredCount() {
        return recoveredCount;
    }

    @Override
    public long recoveredBytes() {
        return recoveredBytes;
    }

    @Override
    public void start(BacklogListener backlogListener, OwnerLoop ownerLoop) {
        this.listener = backlogListener;
        this.owner = ownerLoop;
        storeThread.execute(() -> {
            long period = fsync.mode() == FsyncPolicy.Mode.INTERVAL
                    ? Math.min(fsync.interval().toMillis(), MAINTAIN_MILLIS) : MAINTAIN_MILLIS;
            maintenance = storeThread.scheduleAtFixedRate(this::maintain, period, period, TimeUnit.MILLISECONDS);
        });
        ownerLoop.execute(this::grant);
        storeThread.execute(this::scanRecovered);
    }

    /**
     * On the store thread: looks ahead of the reader, a slice at a time so that appends and reads
     * interleave, for the messages of the previous run that a restart discards, and takes them off
     * the queue's depth at once ({@link MessageStore#scanRecovered}).
     */
    private void scanRecovered() {
        if (storeClosed) {
            return;
        }
        long countBefore = store.count();
        long bytesBefore = store.bytes();
        boolean done;
        try {
            done = store.scanRecovered(SCAN_SLICE);
        } catch (RuntimeException | InternalError e) {
            // The reader still skips them when it gets there; only the depth is high until then.
            failureLines.error("{}: could not look ahead at its recovered messages: {}", this, e.toString());
            done = true;
        }
        long n = countBefore - store.count();
        if (n > 0) {
            listener.lost(n, bytesBefore - store.bytes());
        }
        if (!done) {
            try {
                storeThread.execute(this::scanRecovered);
            } catch (RejectedExecutionException e) {
                // Shutting down: nothing left to correct.
            }
        }
    }

    // ------------------------------------------------------------------ writing (any thread -> store)

    @Override
    public void offer(Message message, StoreWaiter waiter) {
        offeredBytes.addAndGet(message.size());
        offers.offer(new Offer(message, waiter));
        if (appendScheduled.compareAndSet(false, true)) {
            storeThread.execute(appendTask);
        }
    }

    /**
     * Appends what was offered, up to about {@code limit} payload bytes, syncs if the policy says so, tells the
     * waiters, hands out credit.
     */
    private void appendOffers(long limit) {
        try {
            appendOffered(limit);
        } catch (RuntimeException | InternalError e) {
            // A fault the store did not see: an InternalError from a fault on a mapped page may surface
            // after the access that caused it. Every publisher still gets its answer.
            failureLines.error("{}: storing messages failed: {}", this, e.toString());
            for (int i = 0; i < storedWaiters.size(); i++) {
                storedWaiters.get(i).stored(false);
            }
            storedWaiters.clear();
            if (!offers.isEmpty() && appendScheduled.compareAndSet(false, true)) {
                storeThread.execute(appendTask);
            }
        }
    }

    private void appendOffered(long limit) {
        appendScheduled.set(false);
        long lost = 0;
        long lostBytes = 0;
        long batchBytes = 0;
        Offer o;
        while (batchBytes < limit && (o = offers.poll()) != null) {
            Message m = o.message();
            int size = m.size();
            batchBytes += size;
            offeredBytes.addAndGet(-size);
            boolean ok = true;
            if (storeClosed) {
                lost++;
                lostBytes += size;
            } else {
                try {
                    WireMessage w = WireMessage.of(m);
                    store.append(w.exchange(), w.routingKey(), w.properties(), w.persistent(), w.payload(),
                            w.arrivalMillis());
                    if (refusingForSpace) {
                        refusingForSpace = false;
                        LOG.info("{}: takes messages again, the disk has room", this);
                    }
                } catch (DiskFullException e) {
                    if (!refusingForSpace) {
                        refusingForSpace = true;
                        LOG.warn("{}: {}; the publishes are refused", this, e.getMessage());
                    }
                    lost++;
                    lostBytes += size;
                    ok = false;
                } catch (StoreException e) {
                    // The store logged its failure once; every later append is refused the same way.
                    lost++;
                    lostBytes += size;
                    ok = false;
                } catch (RuntimeException | InternalError e) {
                    // Whatever else fails, this message is answered and released like a refused one.
                    failureLines.error("{}: could not store a message: {}", this, e.toString());
                    lost++;
                    lostBytes += size;
                    ok = false;
                }
            }
            try {
                m.release();
            } finally {
                if (o.waiter() != null) {
                    if (ok) {
                        storedWaiters.add(o.waiter());
                    } else {
                        o.waiter().stored(false);
                    }
                }
            }
        }
        if (lost > 0) {
            listener.lost(lost, lostBytes);
        }
        if (!storedWaiters.isEmpty()) {
            boolean synced = true;
            if (fsync.mode() == FsyncPolicy.Mode.ALWAYS && !storeClosed) {
                try {
                    faults.beforeSync(name);
                    store.sync();
                } catch (RuntimeException e) {
                    if (!store.failed()) {
                        failureLines.error("{}: sync failed ({}); the messages of this batch are nacked", this,
                                e.toString());
                    }
                    synced = false;
                }
            }
            for (int i = 0; i < storedWaiters.size(); i++) {
                storedWaiters.get(i).stored(synced);
            }
            storedWaiters.clear();
        }
        readWithCredit();
        if (!offers.isEmpty() && appendScheduled.compareAndSet(false, true)) {
            // The batch was full: the rest goes behind the tasks queued meanwhile.
            try {
                storeThread.execute(appendTask);
            } catch (RejectedExecutionException e) {
                // The store thread stopped (broker shutdown): closing answers what is left.
                appendScheduled.set(false);
            }
        }
    }

    // ------------------------------------------------------------------ reading (store -> loop)

    /** On the loop: tops the store thread's credit up when what is in memory or coming runs low. */
    private void grant() {
        if (closed) {
            return;
        }
        // Each limit on its own: large messages use up the bytes long before the count, small ones
        // the count before the bytes; either running low is a reason to top both up.
        int count = Math.max(0, READ_AHEAD - recovered.size() - readAhead.size() - grantedCount);
        long bytes = Math.max(0, READ_AHEAD_BYTES - readAheadBytes - grantedBytes);
        if (count < READ_AHEAD / 2 && bytes < READ_AHEAD_BYTES / 2) {
            return;
        }
        grantedCount += count;
        grantedBytes += bytes;
        storeThread.execute(() -> {
            creditCount += count;
            creditBytes += bytes;
            readWithCredit();
        });
    }

    /** On the store thread: reads while there is credit and something to read, and hands it over. */
    private void readWithCredit() {
        if (storeClosed || creditCount <= 0 || creditBytes <= 0 || !store.hasUnread()) {
            return;
        }
        List<StoredMessage> batch = new ArrayList<>();
        long bytes = 0;
        long countBefore = store.count();
        long bytesBefore = store.bytes();
        while (creditCount > 0 && creditBytes > 0) {
            StoredMessage sm;
            try {
                sm = store.readNext(ALLOC);
            } catch (RuntimeException | InternalError e) {
                // Once, not at every append or grant that tries again.
                if (!readFailing) {
                    readFailing = true;
                    LOG.error("{}: cannot read its store; delivery stops until the queue is reopened", this, e);
                }
                break;
            }
            if (sm == null) {
                break;
            }
            int size = sm.frame().payload().readableBytes();
            creditCount--;
            creditBytes -= size;
            bytes += size;
            batch.add(sm);
        }
        // Reading settles what a restart discards (non-persistent messages of the last run): the
        // queue's depth counted them, so it is told they are gone.
        long discarded = countBefore - store.count();
        if (discarded > 0) {
            listener.lost(discarded, bytesBefore - store.bytes());
        }
        if (!batch.isEmpty()) {
            // The read mark moves before anything of the batch can reach a consumer: after a crash,
            // whatever was read comes back flagged as possibly delivered (a message read ahead but
            // never delivered is flagged too; one delivered is never missed).
            try {
                store.delivering(batch.get(batch.size() - 1).seq());
            } catch (RuntimeException e) {
                LOG.error("{}: could not move the read mark", this, e);
            }
            long batchBytes = bytes;
            try {
                owner.execute(() -> arrived(batch, batchBytes));
            } catch (RejectedExecutionException e) {
                // The queue's loop has stopped (broker shutdown): nobody will take these.
                for (StoredMessage sm : batch) {
                    sm.frame().payload().release();
                }
            }
        }
    }

    /** On the loop: messages read from the store. */
    private void arrived(List<StoredMessage> batch, long bytes) {
        grantedCount -= batch.size();
        grantedBytes -= bytes;
        for (StoredMessage sm : batch) {
            Publish f = sm.frame();
            Message m = new WireMessage(f.exchange(), f.routingKey(), f.properties(),
                    (f.flags() & Publish.PERSISTENT) != 0, f.payload(), sm.arrivalMillis(), sm.seq());
            if (closed) {
                m.release();
            } else if (purging > 0) {
                purgedWhileReading++;
                purgedBytesWhileReading += m.size();
                settle(m);
                m.release();
            } else if (sm.possiblyDelivered()) {
                // Read before the last restart: it may have reached a consumer. These are the oldest
                // messages, so giving them out first keeps the order.
                readAheadBytes += m.size();
                recovered.addLast(m);
            } else {
                readAheadBytes += m.size();
                readAhead.addLast(m);
            }
        }
        if (purging > 0 || closed) {
            return;
        }
        grant();
        listener.readable();
    }

    @Override
    public Message peek() {
        Message m = recovered.peekFirst();
        return m != null ? m : readAhead.peekFirst();
    }

    @Override
    public boolean headRedelivered() {
        return !recovered.isEmpty();
    }

    @Override
    public Message poll() {
        Message m = recovered.pollFirst();
        if (m == null) {
            m = readAhead.pollFirst();
        }
        readAheadBytes -= m.size();
        return m;
    }

    // ------------------------------------------------------------------ settling (loop -> store)

    @Override
    public void delivering(Message message) {
        // The read mark already covers it (readWithCredit moved it before handing the message over);
        // what was really delivered lets a clean close lower it again.
        if (message.storeSeq() > deliveredUpTo) {
            deliveredUpTo = message.storeSeq();
        }
    }

    @Override
    public void settle(Message message) {
        if (message.storeSeq() >= 0) {
            settles.add(message.storeSeq(), message.size());
        }
    }

    @Override
    public void endOfBatch() {
        if (!settles.isEmpty()) {
            SettleBatch batch = settles;
            settles = new SettleBatch();
            storeThread.execute(() -> applySettles(batch));
        }
        grant();
    }

    /** On the store thread. */
    private void applySettles(SettleBatch batch) {
        if (storeClosed) {
            return;
        }
        try {
            for (int i = 0; i < batch.n; i++) {
                store.settle(batch.seqs[i], batch.sizes[i]);
            }
        } catch (RuntimeException | InternalError e) {
            if (!store.failed()) {
                failureLines.error("{}: could not record settlements ({}); those messages may be delivered again "
                        + "after a restart", this, e.toString());
            }
        }
    }

    @Override
    public long memoryBytes() {
        return offeredBytes.get() + readAheadBytes;
    }

    /** On the store thread, periodically: sync (interval policy), checkpoint and file retention. */
    private void maintain() {
        if (storeClosed) {
            return;
        }
        try {
            if (fsync.mode() == FsyncPolicy.Mode.INTERVAL) {
                faults.beforeSync(name);
                store.sync();
            }
            long now = System.currentTimeMillis();
            if (now - lastMaintain >= MAINTAIN_MILLIS) {
                lastMaintain = now;
                store.maintain();
            }
            if (maintenanceFailing) {
                maintenanceFailing = false;
                LOG.info("{}: store maintenance works again", this);
            }
        } catch (RuntimeException | InternalError e) {
            // Once per change, not once a second.
            if (!maintenanceFailing && !store.failed()) {
                LOG.error("{}: store maintenance failed", this, e);
            }
            maintenanceFailing = true;
        }
    }

    // ------------------------------------------------------------------ purge, close, delete

    @Override
    public CompletableFuture<Purged> purgeUnread() {
        CompletableFuture<Purged> done = new CompletableFuture<>();
        purging++;
        endOfBatch();
        storeThread.execute(() -> {
            long n = 0;
            long bytes = 0;
            long countBefore = store.count();
            long bytesBefore = store.bytes();
            try {
                StoredMessage sm;
                while (!storeClosed && (sm = store.readNext(ALLOC)) != null) {
                    int size = sm.frame().payload().readableBytes();
                    sm.frame().payload().release();
                    store.settle(sm.seq(), size);
                    n++;
                    bytes += size;
                }
            } catch (RuntimeException | Error e) {
                // Caught here: the purge is answered whatever fails, and the next change of the queue waits for it.
                LOG.error("{}: purge could not read its whole store", this, e);
            }
            long discarded = countBefore - store.count() - n;
            if (discarded > 0) {
                listener.lost(discarded, bytesBefore - store.bytes() - bytes);
            }
            long count = n;
            long size = bytes;
            owner.execute(() -> {
                // Batches read before the purge reached the store thread arrived first, and were dropped.
                Purged purged = new Purged(count + purgedWhileReading, size + purgedBytesWhileReading);
                purging--;
                purgedWhileReading = 0;
                purgedBytesWhileReading = 0;
                endOfBatch();
                done.complete(purged);
            });
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> close() {
        return shutDown(false);
    }

    @Override
    public CompletableFuture<Void> delete() {
        return shutDown(true);
    }

    private CompletableFuture<Void> shutDown(boolean deleteFiles) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.complete(null);
            return done;
        }
        endOfBatch();
        closed = true;
        releaseInMemory();
        long lastDelivered = deliveredUpTo;
        storeThread.execute(() -> {
            try {
                if (deleteFiles) {
                    storeClosed = true;
                    appendOffers(Long.MAX_VALUE);
                    store.delete();
                } else {
                    // What was offered before the close is written: its publishers may wait for it.
                    appendOffers(Long.MAX_VALUE);
                    storeClosed = true;
                    // Read ahead but never delivered: not flagged as possibly delivered next start.
                    store.lowerReadMark(lastDelivered);
                    store.close();
                }
            } catch (RuntimeException | Error e) {
                // Logged here, with the queue; done completes anyway, so the queue's next change can start.
                LOG.error("{}: could not {} its store cleanly", this, deleteFiles ? "delete" : "close", e);
            } finally {
                if (maintenance != null) {
                    maintenance.cancel(false);
                }
                done.complete(null);
            }
        });
        return done;
    }

    private void releaseInMemory() {
        Message m;
        while ((m = recovered.pollFirst()) != null) {
            m.release();
        }
        while ((m = readAhead.pollFirst()) != null) {
            m.release();
        }
        readAheadBytes = 0;
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
