package io.relais.client.impl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where the client runs PBKDF2 (SCRAM-SHA-256's salted password, when logging in and when deriving a new
 * user's credentials): one daemon thread {@code relais-client-kdf} shared by the JVM's clients, started on
 * first use and stopped after a minute without work, so that no event loop ever computes it. Thread-safe.
 */
final class KeyDerivationThread {
    private static final ExecutorService POOL = pool();

    private KeyDerivationThread() {
    }

    private static ExecutorService pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "relais-client-kdf");
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** Runs {@code work} on the key-derivation thread. */
    static <T> CompletableFuture<T> supply(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, POOL);
    }
}
