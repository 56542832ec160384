package io.relais.client.impl;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's listeners of one kind of notification (errors, connection events): each is called in
 * the order added, and one that throws is logged and does not stop the others.
 *
 * <p>Thread-safe: listeners may be added from any thread while notifications run.
 */
final class ListenerList<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerList.class);
    private final CopyOnWriteArrayList<Consumer<T>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<T> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    boolean isEmpty() {
        return listeners.isEmpty();
    }

    /** Calls every listener with {@code value} on this thread. */
    void notifyNow(T value) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(value);
            } catch (RuntimeException e) {
                LOG.warn("listener failed on {}", value, e);
            }
        }
    }

    /**
     * Calls every listener with {@code value} on {@code executor}.
     *
     * @return false if the executor refused the task (it has shut down); nobody was called then
     */
    boolean notifyOn(Executor executor, T value) {
        if (listeners.isEmpty()) {
            return true;
        }
        try {
            executor.execute(() -> notifyNow(value));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
