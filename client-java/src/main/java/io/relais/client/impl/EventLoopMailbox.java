package io.relais.client.impl;

import io.netty.channel.EventLoop;
import io.relais.client.RelaisException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands tasks from any thread to one connection's event loop. Tasks from other threads wait in a queue drained
 * by one loop task, so that a burst of publishes or acknowledgements costs one hand-off (and one socket flush),
 * not one per frame; a task submitted on the event loop runs at once.
 *
 * <p>Thread-safe: any thread may submit; tasks run on the event loop in the order they were queued.
 */
final class EventLoopMailbox {
    /** A task for the event loop, with what to do if the loop has shut down. */
    private record LoopTask(Runnable task, Consumer<RelaisException> refused) {
    }

    private final EventLoop loop;
    private final Queue<LoopTask> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    EventLoopMailbox(EventLoop loop) {
        this.loop = loop;
    }

    /** True on the event loop's thread. */
    boolean inEventLoop() {
        return loop.inEventLoop();
    }

    /** Runs {@code task} on the event loop; reports a task the loop refused (it has shut down) to {@code refused}. */
    void run(Runnable task, Consumer<RelaisException> refused) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        tasks.offer(new LoopTask(task, refused));
        if (scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException e) {
                RelaisException failure = new RelaisException(null, "connection closed: its event loop has shut down",
                        e);
                LoopTask t;
                while ((t = tasks.poll()) != null) {
                    t.refused().accept(failure);
                }
                scheduled.set(false);
            }
        }
    }

    private void drain() {
        scheduled.set(false);
        LoopTask t;
        while ((t = tasks.poll()) != null) {
            t.task().run();
        }
    }
}
