package io.relais.client;

/**
 * Receives the messages of one subscription.
 *
 * <p>Called on the client's handler executor, never on a network thread, one delivery at a time and in
 * arrival order when the executor is the default one (a dedicated thread per client). A handler may block
 * and may call any client method, including waiting for the futures they return. An exception thrown by the
 * handler is logged; for a manual-ack subscription the delivery then stays unacknowledged until the
 * connection closes.
 *
 * <p>Thread-safety: with the default executor a handler is only ever called from the client's one handler
 * thread; with a multi-threaded {@link RelaisClient.Builder#handlerExecutor(java.util.concurrent.Executor)
 * handler executor} it may be called concurrently and must be thread-safe.
 */
@FunctionalInterface
public interface MessageHandler {
    /** Handles one delivery. */
    void onMessage(Delivery delivery);
}
