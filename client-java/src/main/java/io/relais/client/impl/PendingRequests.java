package io.relais.client.impl;

import io.relais.client.RelaisException;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.ErrorFrame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The request-id table: outstanding requests by id, each with the future to complete and how to read its
 * {@link Answer}. Answers may come in any order; each id gets exactly one answer (or times out).
 *
 * <p>Owned by the connection's event loop: not thread-safe, no locks. Entries are kept in insertion order,
 * which is deadline order, so expiry looks at the head only.
 */
final class PendingRequests {
    private final LinkedHashMap<Long, Pending<?>> byId = new LinkedHashMap<>();
    private long nextId = 1;

    /** One outstanding request. */
    static final class Pending<T> {
        final String description;
        final long deadlineNanos;
        final Function<Answer, T> reader;
        final CompletableFuture<T> future;
        final Runnable onFailure;

        Pending(String description, long deadlineNanos, Function<Answer, T> reader, CompletableFuture<T> future,
                Runnable onFailure) {
            this.description = description;
            this.deadlineNanos = deadlineNanos;
            this.reader = reader;
            this.future = future;
            this.onFailure = onFailure;
        }

        /** Completes the request with its answer; an ERROR answer fails it with the error's code. */
        void complete(Answer answer) {
            if (answer instanceof ErrorFrame e) {
                fail(RelaisException.fromBroker(e.code(), e.message()));
                return;
            }
            T value;
            try {
                value = reader.apply(answer);
            } catch (RuntimeException ex) {
                fail(ex);
                return;
            }
            future.complete(value);
        }

        void fail(Throwable cause) {
            if (onFailure != null) {
                onFailure.run();
            }
            future.completeExceptionally(cause);
        }
    }

    /** Registers a request and returns its id. */
    long add(Pending<?> pending) {
        long id = nextId++;
        byId.put(id, pending);
        return id;
    }

    /** Removes and returns the request, or {@code null} if it is not outstanding (timed out, unknown). */
    Pending<?> remove(long id) {
        return byId.remove(id);
    }

    /** Fails every request whose deadline has passed. */
    void expire(long nowNanos, String timeoutText) {
        List<Pending<?>> expired = null;
        for (Iterator<Pending<?>> it = byId.values().iterator(); it.hasNext(); ) {
            Pending<?> p = it.next();
            if (p.deadlineNanos - nowNanos > 0) {
                break;
            }
            it.remove();
            if (expired == null) {
                expired = new ArrayList<>();
            }
            expired.add(p);
        }
        if (expired != null) {
            for (Pending<?> p : expired) {
                p.fail(new RelaisException(null, "timed out after " + timeoutText + " waiting for the answer to "
                        + p.description));
            }
        }
    }

    /** Fails every outstanding request. */
    void failAll(RelaisException cause) {
        List<Pending<?>> all = new ArrayList<>(byId.values());
        byId.clear();
        for (Pending<?> p : all) {
            p.fail(cause);
        }
    }

    int size() {
        return byId.size();
    }
}
