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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
 * the fsync policy says {@code always} (after {@link StoreFaults#beforeSync}), then tell the publishers'
 * {@link StoreWaiter}s. Reading: the queue's loop grants the store thread a credit of messages and
 * bytes; the store thread reads that many into buffers and hands them over in batches, and spends the
 * rest of the credit on messages as they are appended. The credit bounds what is in memory
 * ({@value #READ_AHEAD} messages, 4 MiB); the read mark that makes a restart flag messages as possibly
 * delivered moves as they are read, before any can reach a consumer. Settles are gathered on the loop
 * and handed over once a batch.
 *
 * <p><b>Write-behind</b> ({@link WriteBehind}, on by default). While the queue's consumers keep up (a
 * message was handed to one within the write-behind delay) and nothing appended is unread, an offer is
 * not appended: the store thread hands the message itself (the buffer it arrived in) to the loop, which
 * delivers it from memory, and keeps it in a list of unwritten messages in arrival order. Held messages
 * are not copies read back, so they spend no read credit; instead the bytes of those no consumer took
 * yet are bounded by {@link WriteBehind#maxBytes()} (beyond it offers are appended the usual way), and
 * count in {@link #memoryBytes()} and in the queue's depth like any ready message. It is written ({@link MessageStore#appendHeld}: counted as read at once, the read mark
 * covering it first) when it has waited the delay, when the queue's unwritten payload passes the bound
 * (the oldest first), before any message is appended the usual way (so the log keeps arrival order and
 * the messages counted as read stay a prefix of it), and at a clean close. If it is settled first
 * (acknowledged, dropped, expired, dead-lettered) it is never written: the loop tells its waiter
 * {@code stored(true)} there and then, which is its publisher's confirm, as RabbitMQ does. A confirm
 * therefore means written (per the fsync policy) or settled by the queue, and a crash loses nothing
 * confirmed and unsettled. One compare-and-set per message ({@link Offered#state}) decides which of the
 * two comes first; the store thread holds a reference of its own to the payload for the write, which the
 * winner releases. A message given back (nack or reject with requeue, consumer gone) is the same instance,
 * so it stays in memory in its place among the redeliveries and is written by the delay as usual. Its
 * publisher learns that a write failed through {@code stored(false)}; such a message still in the
 * read-ahead leaves the queue as a refused one does, one already delivered stays with its consumer (at
 * least once: its publisher may send it again). While the store refuses appends (disk full, failed),
 * offers are appended at once, and refused as before. The same holds for non-persistent messages: a
 * restart discards them from the store anyway, so writing one late or never changes nothing a restart
 * shows, and the read-ahead credit bounds the memory they take as it bounds any other's.
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

    /**
     * A message offered by a publisher, and who waits for it to be stored; when held for write-behind,
     * the queue's own instance over its payload and where its write stands. {@link #state} is the one
     * thing the loop and the store thread race on: whoever moves it from {@link #UNWRITTEN} decides
     * whether the message is written ({@link #WRITING}, by the store thread) or never ({@link #SETTLED},
     * by the loop).
     */
    private static final class Offered {
        static final int UNWRITTEN = 0;
        static final int SETTLED = 1;
        static final int WRITING = 2;
        static final int WRITTEN = 3;
        static final int FAILED = 4;
        private static final AtomicIntegerFieldUpdater<Offered> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Offered.class, "state");

        final Message message;
        final StoreWaiter waiter;
        final int size;
        /** The queue's own instance over the payload, delivered from memory; set on the store thread before hand-over. */
        WireMessage held;
        /** When it was held, on the store thread's clock; store thread. */
        long heldAtMillis;
        volatile int state;
        /** Its sequence number once {@link #WRITTEN}. */
        volatile long seq = -1;
        /** Set on the loop when handed to a consumer. */
        volatile boolean handedOut;

        Offered(Message message, StoreWaiter waiter) {
            this.message = message;
            this.waiter = waiter;
            this.size = message.size();
        }

        boolean move(int from, int to) {
            return STATE.compareAndSet(this, from, to);
        }
    }

    /** Settles gathered on the loop, for the store thread. */
    private static final class SettleBatch {
        long[] seqs = new long[64];
        int[] sizes = new int[64];
        int n;
        /** Held messages the store thread wrote or is writing: settled by their sequence numbers there. */
        List<Offered> written;

        void addWritten(Offered o) {
            if (written == null) {
                written = new ArrayList<>();
            }
            written.add(o);
        }

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
            return n == 0 && written == null;
        }
    }

    private final String name;
    private final MessageStore store;
    private final ScheduledExecutorService storeThread;
    private final FsyncPolicy fsync;
    private final StoreFaults faults;
    private final long recoveredCount;
    private final long recoveredBytes;
    /** Write-behind's delay (0: off) and bound. */
    private final long delayMillis;
    private final long maxUnwrittenBytes;

    // Any thread.
    private final Queue<Offered> offers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean appendScheduled = new AtomicBoolean();
    private final Runnable appendTask = () -> appendOffers(APPEND_BATCH_BYTES);
    private final Runnable flushTask = this::writeDue;
    private final AtomicLong offeredBytes = new AtomicLong();
    /** Payload bytes of held messages neither written nor settled. */
    private final AtomicLong unwrittenBytes = new AtomicLong();
    /** Payload bytes of held messages handed to the loop (or on their way) that no consumer took yet. */
    private final AtomicLong heldReadyBytes = new AtomicLong();
    /** When the loop last handed a message to a consumer (epoch ms): written on the loop, read by the store thread. */
    private volatile long lastHandOutMillis = Long.MIN_VALUE / 2;
    private volatile BacklogListener listener;
    private volatile OwnerLoop owner;

    // Store thread.
    private final List<StoreWaiter> storedWaiters = new ArrayList<>();
    /** Held messages not yet written, in arrival order (settled ones are dropped as they reach the head). */
    private final ArrayDeque<Offered> unwritten = new ArrayDeque<>();
    /** What the current task hands to the loop, in order: {@link Offered} (held) and {@link StoredMessage} (read). */
    private List<Object> toLoop = new ArrayList<>();
    /** How many of {@link #toLoop} were read, and their bytes: what they spent of the read credit. */
    private int toLoopReadCount;
    private long toLoopReadBytes;
    /** Held messages whose write failed in the current task, for the loop. */
    private List<Offered> failedHeld;
    private boolean flushScheduled;
    /** Closing or deleting: nothing more is held. */
    private boolean shuttingDown;
    /** The highest sequence number a held message handed to a consumer got when it was written. */
    private long heldDeliveredUpTo = -1;
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
    /** Messages read from the store and held messages, in delivery order. */
    private final ArrayDeque<Message> readAhead = new ArrayDeque<>();
    /** Held messages given to the loop and not settled yet, by identity. */
    private final Map<Message, Offered> given = new IdentityHashMap<>();
    /** Held messages in {@link #readAhead}, and their bytes: not counted against the read credit. */
    private int heldInReadAhead;
    private long heldBytesInReadAhead;
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
        this(name, store, storeThread, fsync, WriteBehind.OFF, faults);
    }

    /**
     * A backlog over {@code store} as above, that delivers from memory and writes late as
     * {@code writeBehind} says.
     */
    public StoredBacklog(String name, MessageStore store, ScheduledExecutorService storeThread, FsyncPolicy fsync,
                         WriteBehind writeBehind, StoreFaults faults) {
        this.delayMillis = writeBehind.delayMillis(fsync);
        this.maxUnwrittenBytes = writeBehind.maxBytes();
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
        offers.offer(new Offered(message, waiter));
        if (appendScheduled.compareAndSet(false, true)) {
            storeThread.execute(appendTask);
        }
    }

    /**
     * Appends or holds what was offered, up to about {@code limit} payload bytes, syncs if the policy says so,
     * tells the waiters, hands out credit.
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
        } finally {
            handOver();
        }
    }

    private void appendOffered(long limit) {
        appendScheduled.set(false);
        long lost = 0;
        long lostBytes = 0;
        long batchBytes = 0;
        long now = System.currentTimeMillis();
        // The consumers keep up: one took a message within the delay.
        boolean keepingUp = delayMillis > 0 && now - lastHandOutMillis <= delayMillis;
        Offered o;
        while (batchBytes < limit && (o = offers.poll()) != null) {
            Message m = o.message;
            int size = o.size;
            batchBytes += size;
            offeredBytes.addAndGet(-size);
            if (storeClosed) {
                lost++;
                lostBytes += size;
                m.release();
                if (o.waiter != null) {
                    storedWaiters.add(o.waiter);
                }
                continue;
            }
            if (keepingUp && canHold(size)) {
                hold(o, now);
                continue;
            }
            // Appended the usual way, to be read back: what is held goes first, so the log keeps arrival order.
            writeHeld(Long.MAX_VALUE);
            boolean ok = append(m, false) >= 0;
            if (!ok) {
                lost++;
                lostBytes += size;
            }
            try {
                m.release();
            } finally {
                if (o.waiter != null) {
                    if (ok) {
                        storedWaiters.add(o.waiter);
                    } else {
                        o.waiter.stored(false);
                    }
                }
            }
        }
        if (lost > 0) {
            listener.lost(lost, lostBytes);
        }
        // Over the bound: the oldest held are written now.
        while (unwrittenBytes.get() > maxUnwrittenBytes && writeOldest()) {
            // writeOldest wrote or dropped one
        }
        confirmStored();
        readWithCredit();
        scheduleFlush();
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

    /**
     * True if an offer of {@code size} bytes may be held rather than appended: the held messages no consumer
     * took yet stay within the bound (the first always fits), nothing appended is unread (held messages are
     * delivered after everything before them), the store takes appends, and the backlog is not closing.
     */
    private boolean canHold(int size) {
        long ready = heldReadyBytes.get();
        return (ready == 0 || ready + size <= maxUnwrittenBytes) && !shuttingDown && !refusingForSpace
                && !store.hasUnread() && !store.refusesAppends();
    }

    /**
     * Holds an offer unwritten and hands it to the loop. It spends no read credit: it is the buffer the
     * offer arrived in, not a copy read back, and {@link #heldReadyBytes} bounds how much of it waits.
     */
    private void hold(Offered o, long now) {
        WireMessage w = WireMessage.of(o.message);
        // The queue's own instance, which takes over the offer's reference; one more reference for the write.
        WireMessage own = new WireMessage(w.exchange(), w.routingKey(), w.properties(), w.persistent(), w.payload(),
                w.arrivalMillis());
        own.retain(1);
        o.held = own;
        o.heldAtMillis = now;
        unwritten.addLast(o);
        unwrittenBytes.addAndGet(o.size);
        heldReadyBytes.addAndGet(o.size);
        toLoop.add(o);
    }

    /**
     * Writes held messages from the oldest on until about {@code limit} payload bytes are written (settled
     * ones are dropped on the way), their waiters to be told by {@link #confirmStored}.
     */
    private void writeHeld(long limit) {
        long written = 0;
        Offered o;
        while (written < limit && (o = unwritten.pollFirst()) != null) {
            if (write(o)) {
                written += o.size;
            }
        }
    }

    /** Writes (or drops, if settled) the oldest held message; false if there was none. */
    private boolean writeOldest() {
        Offered o = unwritten.pollFirst();
        if (o == null) {
            return false;
        }
        write(o);
        return true;
    }

    /**
     * Writes one held message unless the loop settled it first; true if this thread took it (written or
     * failed). Releases the store thread's reference to its payload either way it took it.
     */
    private boolean write(Offered o) {
        if (!o.move(Offered.UNWRITTEN, Offered.WRITING)) {
            // Settled on the loop, which confirmed it and released the reference kept for this write.
            return false;
        }
        unwrittenBytes.addAndGet(-o.size);
        long seq;
        try {
            seq = append(o.held, true);
        } finally {
            o.held.release();
        }
        if (seq >= 0) {
            o.seq = seq;
            o.state = Offered.WRITTEN;
            // seq before handedOut, as delivering() writes handedOut before it reads seq: one of the two sees the other.
            if (o.handedOut && o.seq > heldDeliveredUpTo) {
                heldDeliveredUpTo = o.seq;
            }
            if (o.waiter != null) {
                storedWaiters.add(o.waiter);
            }
        } else {
            o.state = Offered.FAILED;
            if (failedHeld == null) {
                failedHeld = new ArrayList<>();
            }
            failedHeld.add(o);
            if (o.waiter != null) {
                o.waiter.stored(false);
            }
        }
        return true;
    }

    /**
     * Appends one message, held ({@link MessageStore#appendHeld}) or to be read back; returns its sequence
     * number, or -1 if the store refused it (logged as the refusal says).
     */
    private long append(Message m, boolean held) {
        try {
            WireMessage w = WireMessage.of(m);
            long seq = held
                    ? store.appendHeld(w.exchange(), w.routingKey(), w.properties(), w.persistent(), w.payload(),
                            w.arrivalMillis())
                    : store.append(w.exchange(), w.routingKey(), w.properties(), w.persistent(), w.payload(),
                            w.arrivalMillis());
            if (refusingForSpace) {
                refusingForSpace = false;
                LOG.info("{}: takes messages again, the disk has room", this);
            }
            return seq;
        } catch (DiskFullException e) {
            if (!refusingForSpace) {
                refusingForSpace = true;
                LOG.warn("{}: {}; the publishes are refused", this, e.getMessage());
            }
            return -1;
        } catch (StoreException e) {
            // The store logged its failure once; every later append is refused the same way.
            return -1;
        } catch (RuntimeException | InternalError e) {
            // Whatever else fails, this message is answered and released like a refused one.
            failureLines.error("{}: could not store a message: {}", this, e.toString());
            return -1;
        }
    }

    /** Syncs what this task wrote if the policy says {@code always}, then tells its waiters. */
    private void confirmStored() {
        if (storedWaiters.isEmpty()) {
            return;
        }
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

    /** Makes sure a task writes the oldest held message once it has waited the delay. */
    private void scheduleFlush() {
        Offered head;
        while ((head = unwritten.peekFirst()) != null && head.state == Offered.SETTLED) {
            unwritten.pollFirst();
        }
        if (head == null || flushScheduled || storeClosed) {
            return;
        }
        long wait = Math.max(0, head.heldAtMillis + delayMillis - System.currentTimeMillis());
        try {
            storeThread.schedule(flushTask, wait, TimeUnit.MILLISECONDS);
            flushScheduled = true;
        } catch (RejectedExecutionException e) {
            // The store thread stopped (broker shutdown): closing writes what is held.
        }
    }

    /** On the store thread, when the oldest held message's delay is up: writes those due, a batch at a time. */
    private void writeDue() {
        flushScheduled = false;
        if (storeClosed) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            long written = 0;
            Offered o;
            while (written < APPEND_BATCH_BYTES && (o = unwritten.peekFirst()) != null
                    && (o.state != Offered.UNWRITTEN || now - o.heldAtMillis >= delayMillis)) {
                unwritten.pollFirst();
                if (write(o)) {
                    written += o.size;
                }
            }
            confirmStored();
        } catch (RuntimeException | InternalError e) {
            failureLines.error("{}: writing held messages failed: {}", this, e.toString());
            for (int i = 0; i < storedWaiters.size(); i++) {
                storedWaiters.get(i).stored(false);
            }
            storedWaiters.clear();
        } finally {
            handOver();
        }
        scheduleFlush();
    }

    // ------------------------------------------------------------------ reading (store -> loop)

    /** On the loop: tops the store thread's credit up when what is in memory or coming runs low. */
    private void grant() {
        if (closed) {
            return;
        }
        // Each limit on its own: large messages use up the bytes long before the count, small ones
        // the count before the bytes; either running low is a reason to top both up.
        // Held messages in the read-ahead are not copies read back: the credit does not count them.
        int count = Math.max(0, READ_AHEAD - recovered.size() - (readAhead.size() - heldInReadAhead) - grantedCount);
        long bytes = Math.max(0, READ_AHEAD_BYTES - (readAheadBytes - heldBytesInReadAhead) - grantedBytes);
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

    /**
     * On the store thread: reads while there is credit and something to read, behind what this task
     * holds, and hands it all over.
     */
    private void readWithCredit() {
        try {
            read();
        } finally {
            handOver();
        }
    }

    private void read() {
        if (storeClosed || creditCount <= 0 || creditBytes <= 0 || !store.hasUnread()) {
            return;
        }
        long countBefore = store.count();
        long bytesBefore = store.bytes();
        long lastSeq = -1;
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
            toLoop.add(sm);
            toLoopReadCount++;
            toLoopReadBytes += size;
            lastSeq = sm.seq();
        }
        // Reading settles what a restart discards (non-persistent messages of the last run): the
        // queue's depth counted them, so it is told they are gone.
        long discarded = countBefore - store.count();
        if (discarded > 0) {
            listener.lost(discarded, bytesBefore - store.bytes());
        }
        if (lastSeq >= 0) {
            // The read mark moves before anything of the batch can reach a consumer: after a crash,
            // whatever was read comes back flagged as possibly delivered (a message read ahead but
            // never delivered is flagged too; one delivered is never missed).
            try {
                store.delivering(lastSeq);
            } catch (RuntimeException e) {
                LOG.error("{}: could not move the read mark", this, e);
            }
        }
    }

    /**
     * On the store thread, at the end of each task: hands the loop what the task held and read, in that
     * order, then the held messages whose write failed.
     */
    private void handOver() {
        if (!toLoop.isEmpty()) {
            List<Object> batch = toLoop;
            int readCount = toLoopReadCount;
            long readBytes = toLoopReadBytes;
            toLoop = new ArrayList<>();
            toLoopReadCount = 0;
            toLoopReadBytes = 0;
            try {
                owner.execute(() -> arrived(batch, readCount, readBytes));
            } catch (RejectedExecutionException e) {
                // The queue's loop has stopped (broker shutdown): nobody will take these. What is held stays
                // in the unwritten list, for the close to write.
                for (Object item : batch) {
                    if (item instanceof Offered o) {
                        heldReadyBytes.addAndGet(-o.size);
                        o.held.release();
                    } else {
                        ((StoredMessage) item).frame().payload().release();
                    }
                }
            }
        }
        if (failedHeld != null) {
            List<Offered> failed = failedHeld;
            failedHeld = null;
            try {
                owner.execute(() -> heldFailed(failed));
            } catch (RejectedExecutionException e) {
                // The queue's loop has stopped: it delivers nothing more anyway.
            }
        }
    }

    /**
     * On the loop: messages read from the store ({@code readCount} of them, {@code readBytes} bytes, which
     * spent that much of the credit granted) and held ones, in delivery order.
     */
    private void arrived(List<Object> batch, int readCount, long readBytes) {
        grantedCount -= readCount;
        grantedBytes -= readBytes;
        for (Object item : batch) {
            Message m;
            boolean possiblyDelivered = false;
            if (item instanceof Offered o) {
                m = o.held;
                if (closed || purging > 0) {
                    heldReadyBytes.addAndGet(-o.size);
                } else {
                    heldInReadAhead++;
                    heldBytesInReadAhead += o.size;
                }
                if (!closed) {
                    given.put(m, o);
                }
            } else {
                StoredMessage sm = (StoredMessage) item;
                Publish f = sm.frame();
                m = new WireMessage(f.exchange(), f.routingKey(), f.properties(),
                        (f.flags() & Publish.PERSISTENT) != 0, f.payload(), sm.arrivalMillis(), sm.seq());
                possiblyDelivered = sm.possiblyDelivered();
            }
            if (closed) {
                // A held one stays in the store thread's unwritten list: the close writes it.
                m.release();
            } else if (purging > 0) {
                purgedWhileReading++;
                purgedBytesWhileReading += m.size();
                settle(m);
                m.release();
            } else if (possiblyDelivered) {
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

    /**
     * On the loop: held messages whose write failed (their publishers were told). One still in the
     * read-ahead leaves the queue, as a message refused at its append does; one already given out stays
     * with its consumer, and settling it records nothing.
     */
    private void heldFailed(List<Offered> failed) {
        if (closed) {
            return;
        }
        for (Offered o : failed) {
            Message m = o.held;
            if (readAhead.removeFirstOccurrence(m)) {
                given.remove(m);
                readAheadBytes -= m.size();
                heldInReadAhead--;
                heldBytesInReadAhead -= m.size();
                heldReadyBytes.addAndGet(-m.size());
                listener.lost(1, m.size());
                m.release();
            }
        }
        grant();
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
    public void peekReady(Visitor visitor) {
        for (Message m : recovered) {
            if (!visitor.visit(m, true)) {
                return;
            }
        }
        for (Message m : readAhead) {
            if (!visitor.visit(m, false)) {
                return;
            }
        }
    }

    @Override
    public Message poll() {
        Message m = recovered.pollFirst();
        if (m == null) {
            m = readAhead.pollFirst();
            if (m.storeSeq() < 0) {
                // Held: a consumer took it (or it is dropped), so it no longer waits in memory for one.
                heldInReadAhead--;
                heldBytesInReadAhead -= m.size();
                heldReadyBytes.addAndGet(-m.size());
            }
        }
        readAheadBytes -= m.size();
        return m;
    }

    // ------------------------------------------------------------------ settling (loop -> store)

    @Override
    public void delivering(Message message) {
        // The read mark already covers it (readWithCredit moved it before handing the message over, appendHeld
        // before writing a held one); what was really delivered lets a clean close lower it again.
        long seq = message.storeSeq();
        if (seq < 0) {
            Offered o = given.get(message);
            if (o != null) {
                // handedOut before seq, as write() sets seq before it reads handedOut: one of the two sees the other.
                o.handedOut = true;
                seq = o.seq;
            }
        }
        if (seq > deliveredUpTo) {
            deliveredUpTo = seq;
        }
        if (delayMillis > 0) {
            long now = System.currentTimeMillis();
            if (now != lastHandOutMillis) {
                lastHandOutMillis = now;
            }
        }
    }

    @Override
    public void settle(Message message) {
        if (message.storeSeq() >= 0) {
            settles.add(message.storeSeq(), message.size());
            return;
        }
        Offered o = given.remove(message);
        if (o == null) {
            return;
        }
        if (o.move(Offered.UNWRITTEN, Offered.SETTLED)) {
            // Never written: the store thread drops it, this releases the reference it kept for the write, and
            // the settlement is the publisher's confirm.
            unwrittenBytes.addAndGet(-o.size);
            message.release();
            if (o.waiter != null) {
                o.waiter.stored(true);
            }
        } else {
            // Written or being written (the settle task runs after that write), or its write failed.
            settles.addWritten(o);
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
            if (batch.written != null) {
                for (Offered o : batch.written) {
                    if (o.state == Offered.WRITTEN) {
                        store.settle(o.seq, o.size);
                    }
                }
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
                shuttingDown = true;
                if (deleteFiles) {
                    storeClosed = true;
                    dropHeld();
                    appendOffers(Long.MAX_VALUE);
                    store.delete();
                } else {
                    // What was offered before the close is written, held or not: its publishers may wait for it,
                    // and a held message given out and not acknowledged must come back.
                    writeHeld(Long.MAX_VALUE);
                    confirmStored();
                    appendOffers(Long.MAX_VALUE);
                    storeClosed = true;
                    // Read ahead but never delivered: not flagged as possibly delivered next start.
                    store.lowerReadMark(Math.max(lastDelivered, heldDeliveredUpTo));
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

    /**
     * On the store thread, when the queue is deleted: what is held is never written; its publishers are
     * told it was taken, as those of offers that reach a deleted store are.
     */
    private void dropHeld() {
        Offered o;
        while ((o = unwritten.pollFirst()) != null) {
            if (o.move(Offered.UNWRITTEN, Offered.SETTLED)) {
                unwrittenBytes.addAndGet(-o.size);
                o.held.release();
                if (o.waiter != null) {
                    o.waiter.stored(true);
                }
            }
        }
    }

    private void releaseInMemory() {
        given.clear();
        Message m;
        while ((m = recovered.pollFirst()) != null) {
            m.release();
        }
        while ((m = readAhead.pollFirst()) != null) {
            m.release();
        }
        readAheadBytes = 0;
        heldReadyBytes.addAndGet(-heldBytesInReadAhead);
        heldInReadAhead = 0;
        heldBytesInReadAhead = 0;
    }

    @Override
    public String toString() {
        return "queue '" + name + "'";
    }
}
