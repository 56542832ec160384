package io.relais.client.impl;

import io.relais.client.RelaisException;
import java.util.function.Consumer;

/**
 * A unit of work for one connection's event loop, and its own node in the {@link EventLoopMailbox} queue: a
 * publish, a settlement, or any other call (wrapped). Being the node itself is what lets a publish or an
 * acknowledgement reach the event loop without an allocation of its own beyond the object that carries it.
 *
 * <p>A task is queued at most once. Its {@code next} link is written by the thread that queues the following
 * task and read by the event loop; everything else is written before it is queued and read on the event loop.
 */
abstract class LoopTask {
    /** The task queued after this one; set once by the mailbox. */
    volatile LoopTask next;

    /** Runs on the event loop. */
    abstract void runOnLoop();

    /** The event loop has shut down and will never run this task. Any thread. */
    abstract void refused(RelaisException cause);

    /** A plain {@link Runnable} and what to do when the loop refuses it. */
    static LoopTask of(Runnable task, Consumer<RelaisException> onRefused) {
        return new LoopTask() {
            @Override
            void runOnLoop() {
                task.run();
            }

            @Override
            void refused(RelaisException cause) {
                onRefused.accept(cause);
            }
        };
    }
}
