package io.relais.broker.core.queue;

import io.relais.broker.core.OwnerLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;



/** An {@link OwnerLoop} on one plain thread, for tests of the core without Netty. */
public final class TestLoop implements OwnerLoop, AutoCloseable {
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private volatile Thread owner;

    public TestLoop() {
        thread.execute(() -> owner = Thread.currentThread());
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void execute(Runnable command) {
        thread.execute(command);
    }

    /** Waits until every task given so far has run. */
    public void drain() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> done.complete(null));
        done.join();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
