package io.relais.broker.core.routing;

import io.relais.broker.core.CoreException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the topology's operations on one queue name in line: an operation on a name starts only
 * once the one before it on that name is finished, asynchronous work included (a durable queue's
 * store closed and its directory deleted on a store thread, a purge read through). Operations on
 * other names are not held up, and no thread ever waits: the next operation is chained to the
 * completion of the one before and started on the owner thread.
 *
 * <p>Every operation ends: whatever it throws, and however its asynchronous work fails, the
 * operation's future completes (exceptionally then) and the next one on the name starts. Failures
 * other than a {@link CoreException} (a refusal the client is told about) are logged here, once,
 * with what the operation was.
 *
 * <p>Threading: {@link #run} on the owner thread (the topology's definitions thread), which also
 * starts every operation that had to wait; the completions of asynchronous work may come on any
 * thread. The line of each name is a concurrent map entry, replaced and removed atomically, so that
 * tests which run the topology on the calling thread stay correct.
 */
final class NameSequencer {
    private static final Logger LOG = LoggerFactory.getLogger(NameSequencer.class);

    private final Executor owner;
    /** Per name, the end of the last operation started or waiting; removed when that one ends. */
    private final Map<String, CompletableFuture<Void>> lines = new ConcurrentHashMap<>();

    /** Operations that wait are started on {@code owner}. */
    NameSequencer(Executor owner) {
        this.owner = owner;
    }

    /**
     * Runs {@code operation} once every operation on {@code name} run before it has ended. On the
     * owner thread.
     *
     * @param what the operation, for the log: {@code "delete queue 'q'"}
     * @param operation does the change on the owner thread and returns what completes once all of
     *     its work (store work included) is done
     * @return the operation's result
     */
    <T> CompletableFuture<T> run(String name, String what, Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        CompletableFuture<Void> before = lines.put(name, ended);
        ended.whenComplete((ok, never) -> lines.remove(name, ended));
        if (before == null) {
            start(what, operation, result, ended);
        } else {
            before.whenCompleteAsync((ok, never) -> start(what, operation, result, ended), owner);
        }
        return result;
    }

    private static <T> void start(String what, Supplier<CompletableFuture<T>> operation, CompletableFuture<T> result,
                                  CompletableFuture<Void> ended) {
        CompletableFuture<T> work;
        try {
            work = operation.get();
        } catch (Throwable t) {
            work = CompletableFuture.failedFuture(t);
        }
        work.whenComplete((value, failure) -> {
            try {
                if (failure == null) {
                    result.complete(value);
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (!(cause instanceof CoreException)) {
                        LOG.error("{} failed", what, cause);
                    }
                    result.completeExceptionally(cause);
                }
            } finally {
                ended.complete(null);
            }
        });
    }

    /** Completes once every operation run so far has ended. On any thread. */
    CompletableFuture<Void> allEnded() {
        return CompletableFuture.allOf(lines.values().toArray(CompletableFuture[]::new));
    }

    /** True if no operation is running or waiting. */
    boolean idle() {
        return lines.isEmpty();
    }
}
