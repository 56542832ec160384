package io.relais.broker.core;

import java.util.concurrent.Executor;

/**
 * The single thread that owns a piece of the core's mutable state (a queue's backlog and
 * consumers), seen without any network library's types.
 *
 * <p>Tasks run in submission order, one at a time, on that thread. The broker adapts its event
 * loops to this interface; tests use a plain single-thread executor. Implementations are
 * thread-safe.
 */
public interface OwnerLoop extends Executor {
    /** True when called on this loop's thread. */
    boolean inLoop();
}
