package io.relais.client.impl;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.relais.client.ConnectionEvent;
import io.relais.client.RelaisException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the application's code runs for one client: the handler executor (the application's, or one daemon
 * thread this client owns, fed in batches through a {@link SerialExecutor}), and the error and connection-event
 * listeners, which run on it. Every connection of
 * the client shares it, so that ordering holds across reconnects.
 *
 * <p>Thread-safe: listeners may be added and notifications sent from any thread.
 */
final class ClientCallbacks {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCallbacks.class);
    private static final AtomicInteger CLIENT_NUMBERS = new AtomicInteger();

    /** Start of the names of the handler threads that clients own; a client number and a thread number follow. */
    static final String HANDLER_THREAD_PREFIX = "relais-handler-";

    private final Executor executor;
    private final ExecutorService owned;
    private final String ownedThreadPrefix;
    private final ListenerList<RelaisException> errorListeners = new ListenerList<>();
    private final ListenerList<ConnectionEvent> eventListeners = new ListenerList<>();

    /** @param executor the application's handler executor, or {@code null} for a thread of this client's own */
    ClientCallbacks(Executor executor) {
        if (executor != null) {
            this.executor = executor;
            this.owned = null;
            this.ownedThreadPrefix = null;
        } else {
            this.ownedThreadPrefix = HANDLER_THREAD_PREFIX + CLIENT_NUMBERS.incrementAndGet();
            this.owned = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory(ownedThreadPrefix, true));
            this.executor = new SerialExecutor(owned); // deliveries reach the thread in batches, in order
        }
    }

    /** The handler executor: message handlers, listeners and request/reply completions run there. */
    Executor executor() {
        return executor;
    }

    /** Runs {@code task} on the handler executor, or on this thread if the executor has shut down. */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** True on the handler thread this client owns (never with an application executor). */
    boolean onOwnedThread() {
        return owned != null && Thread.currentThread().getName().startsWith(ownedThreadPrefix + "-");
    }

    void addErrorListener(Consumer<RelaisException> listener) {
        errorListeners.add(listener);
    }

    void addEventListener(Consumer<ConnectionEvent> listener) {
        eventListeners.add(listener);
    }

    /** Passes an asynchronous error to the error listeners on the handler executor; logs it when there are none. */
    void reportError(RelaisException error) {
        if (errorListeners.isEmpty()) {
            LOG.warn("{}", error.toString());
        } else if (!errorListeners.notifyOn(executor, error)) {
            LOG.warn("{} (handler executor refused the error listeners)", error.toString());
        }
    }

    /** Passes a connection event to the event listeners, on the handler executor, in order. */
    void fire(ConnectionEvent.Type type, String connectionId, RelaisException cause, int attempt) {
        fire(type, connectionId, cause, attempt, null);
    }

    /** {@link #fire(ConnectionEvent.Type, String, RelaisException, int)} with the broker's reason. */
    void fire(ConnectionEvent.Type type, String connectionId, RelaisException cause, int attempt, String reason) {
        ConnectionEvent event = new ConnectionEvent(type, connectionId, cause, attempt, reason);
        if (!eventListeners.notifyOn(executor, event)) {
            LOG.debug("connection event {} not delivered: executor shut down", event);
        }
    }

    /** Stops the owned handler thread once the tasks queued on it have run; nothing for an application executor. */
    void shutdown() {
        if (owned != null) {
            owned.shutdown();
        }
    }
}
