package io.relais.cli;

import io.relais.client.RelaisClient;

/**
 * Closes the client of a command that runs until interrupted ({@code sub}, {@code reply}) when the JVM shuts
 * down (Ctrl-C, SIGTERM), so the broker sees a clean close and requeues what was not acknowledged. Closing
 * this closes the client and removes the hook. Use with try-with-resources around the command's work.
 *
 * <p>Thread-safe: the hook runs on the JVM's shutdown thread; {@link #fired()} may be read from any thread.
 */
final class ClientShutdownHook implements AutoCloseable {
    private final RelaisClient client;
    private final Thread hook;
    private volatile boolean fired;

    ClientShutdownHook(RelaisClient client, String threadName) {
        this.client = client;
        this.hook = new Thread(() -> {
            fired = true;
            client.close();
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The client this hook closes. */
    RelaisClient client() {
        return client;
    }

    /** True once the JVM has started shutting down and the hook closed the client. */
    boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        client.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting (Ctrl-C); the hook closes the client.
        }
    }
}
