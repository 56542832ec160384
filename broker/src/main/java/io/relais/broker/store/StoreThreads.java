package io.relais.broker.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that do the broker's disk work: appends, syncs, reads and settles of durable queues'
 * stores. No network event loop ever waits for the disk; each store is pinned to one of these
 * threads (Chronicle appenders and tailers belong to the thread that made them) and completes
 * back to its queue's loop.
 *
 * <p>Thread-safe. {@link #close()} stops the threads once the stores are closed.
 */
public final class StoreThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreThreads.class);

    private final List<ScheduledExecutorService> threads = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final StoreFaults faults;
    private volatile LongConsumer syncObserver = nanos -> { };

    /** {@code count} store threads, named {@code relais-store-N}. */
    public StoreThreads(int count, StoreFaults faults) {
        this.faults = faults;
        for (int i = 0; i < count; i++) {
            int n = i + 1;
            threads.add(new LoggingExecutor(r -> {
                Thread t = new Thread(r, "relais-store-" + n);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /**
     * A store thread that logs what escapes its tasks: a scheduled executor keeps a task's failure
     * in the task's future, which nobody reads for {@code execute}d tasks, so without this such a
     * failure (and any work it left undone) would go unseen.
     */
    private static final class LoggingExecutor extends ScheduledThreadPoolExecutor {
        LoggingExecutor(ThreadFactory factory) {
            super(1, factory);
        }

        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
            super.afterExecute(task, thrown);
            Throwable failure = thrown;
            if (failure == null && task instanceof Future<?> f && f.isDone() && !f.isCancelled()) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failure != null) {
                LOG.error("a store task on {} failed", Thread.currentThread().getName(), failure);
            }
        }
    }

    /** The thread for a new store, round robin. */
    public ScheduledExecutorService next() {
        return threads.get(Math.floorMod(next.getAndIncrement(), threads.size()));
    }

    /** Told how long every store sync took, in nanoseconds, on the store thread (the metrics' histogram). */
    public LongConsumer syncObserver() {
        return syncObserver;
    }

    /** Sets what {@link #syncObserver()} returns, for the stores opened from now on; before any is opened. */
    public void syncObserver(LongConsumer observer) {
        this.syncObserver = Objects.requireNonNull(observer, "observer");
    }

    /** The faults injected into every store (none outside tests). */
    public StoreFaults faults() {
        return faults;
    }

    /** Stops the threads after the work already given to them; waits up to 10 s. */
    @Override
    public void close() {
        for (ScheduledExecutorService t : threads) {
            t.shutdown();
        }
        for (ScheduledExecutorService t : threads) {
            try {
                if (!t.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("a store thread did not finish its work within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
