package io.relais.client.impl;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front of a client's own handler thread: every task for it (deliveries, listeners, completions) waits in
 * one queue, in order, and the thread takes them in batches, so that a burst of deliveries costs one hand-off to
 * the thread (and one wake-up), not one per message: queueing is a lock-free offer, where the thread pool's own
 * queue takes a lock and signals the thread for each task. Order is exactly the order of {@link #execute} calls,
 * as with the single thread alone.
 *
 * <p>Thread-safe: any thread may submit; the batches run on the thread behind it, one at a time. A task that
 * throws is logged and the batch goes on. When that thread is shut down it refuses new tasks as it did before
 * ({@link RejectedExecutionException}), while the tasks already queued still run.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    /** Most tasks run in one batch before the batch hands the thread back (and queues itself again). */
    static final int MAX_BATCH = 1024;

    private final Executor thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /** @param thread a single-threaded executor; it runs nothing but this executor's batches */
    SerialExecutor(Executor thread) {
        this.thread = thread;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                if (tasks.remove(task)) {
                    throw e; // the thread is gone: the caller deals with its task, as with the thread itself
                }
                // else a batch still running took it and runs it
            }
        }
    }

    private void drain() {
        while (true) {
            int n = 0;
            Runnable t;
            while (n < MAX_BATCH && (t = tasks.poll()) != null) {
                n++;
                try {
                    t.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("a task on the handler thread failed", e);
                }
            }
            scheduled.set(false);
            if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
            try {
                thread.execute(drain);
                return;
            } catch (RejectedExecutionException e) {
                // Shutting down: the thread runs what was queued before, so this batch goes on here.
            }
        }
    }
}
