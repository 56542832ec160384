package io.relais.client.impl;

import io.netty.channel.EventLoop;
import io.relais.client.RelaisException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Hands tasks from any thread to one connection's event loop. Tasks from other threads wait in a queue drained
 * by one loop task, so that a burst of publishes or acknowledgements costs one hand-off (and one socket flush),
 * not one per frame; a task submitted on the event loop runs at once. The queue is intrusive (each
 * {@link LoopTask} is its own node: Vyukov's multi-producer, single-consumer list), so queueing a publish or an
 * acknowledgement allocates nothing; at the end of every drain the {@code drained} action runs once (the
 * connection flushes its coalesced acknowledgements there).
 *
 * <p>Thread-safe: any thread may submit (lock-free); tasks run on the event loop in the order they were queued.
 * Taking tasks happens under this object's monitor, held by the loop for a whole drain (uncontended but for a loop
 * that shuts down while tasks are refused).
 */
final class EventLoopMailbox {
    private final EventLoop loop;
    private final Runnable drained;
    /** The last task queued; producers swap themselves in. */
    private final AtomicReference<LoopTask> tail;
    /** The last task taken (or the initial stub); taken under this object's monitor. */
    private LoopTask head;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /** @param drained runs on the event loop after each drain that ran at least one task */
    EventLoopMailbox(EventLoop loop, Runnable drained) {
        this.loop = loop;
        this.drained = drained;
        LoopTask stub = LoopTask.of(() -> { }, e -> { });
        this.head = stub;
        this.tail = new AtomicReference<>(stub);
    }

    /** True on the event loop's thread. */
    boolean inEventLoop() {
        return loop.inEventLoop();
    }

    /** Runs {@code task} on the event loop; reports a task the loop refused (it has shut down) to {@code refused}. */
    void run(Runnable task, Consumer<RelaisException> refused) {
        submit(LoopTask.of(task, refused));
    }

    /** Runs {@code task} on the event loop: at once when called there, else queued. */
    void submit(LoopTask task) {
        if (loop.inEventLoop()) {
            task.runOnLoop();
            drained.run();
            return;
        }
        enqueue(task);
        schedule();
    }

    /**
     * Queues {@code task} without waking the event loop; a later {@link #schedule()} (or any other submission)
     * runs it. Lets a thread that makes many settlements in a row hand them over once.
     */
    void enqueue(LoopTask task) {
        task.next = null;
        LoopTask prev = tail.getAndSet(task);
        prev.next = task;
    }

    /** Makes sure a drain will run after everything queued so far. */
    void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException e) {
                refuseAll(new RelaisException(null, "connection closed: its event loop has shut down", e));
            }
        }
    }

    /**
     * The loop refused the drain (it is shutting down): every queued task, and any queued while this runs, is
     * refused. A drain the loop still runs may be polling at the same time, hence the monitor, which a drain
     * takes once per drain, not per task.
     */
    private void refuseAll(RelaisException failure) {
        do {
            synchronized (this) {
                LoopTask t;
                while ((t = poll()) != null) {
                    t.refused(failure);
                }
            }
            scheduled.set(false);
        } while (queued() && scheduled.compareAndSet(false, true));
    }

    private synchronized boolean queued() {
        return head.next != null;
    }

    private LoopTask poll() {
        LoopTask h = head;
        LoopTask n = h.next;
        if (n == null) {
            return null;
        }
        head = n;
        return n;
    }

    private void drain() {
        boolean ran = false;
        synchronized (this) {
            scheduled.set(false);
            LoopTask t;
            while ((t = poll()) != null) {
                ran = true;
                t.runOnLoop();
            }
        }
        if (ran) {
            drained.run();
        }
    }
}
