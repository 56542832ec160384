package io.relais.broker.security;

import io.relais.protocol.sasl.Scram;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs PBKDF2 (SCRAM's SaltedPassword, which a PLAIN login needs) on a small pool of its own, never on a
 * network event loop: {@value #THREADS} daemon threads {@code relais-kdf-N} and a queue of {@value #QUEUE}
 * derivations; beyond that a derivation fails at once (the login is refused as "server busy"), so a flood of
 * PLAIN attempts cannot pile up memory or threads. Thread-safe.
 */
public final class KeyDerivation implements AutoCloseable {
    /** Threads of the pool. */
    public static final int THREADS = 2;
    /** Derivations waiting at most. */
    public static final int QUEUE = 256;

    private final ThreadPoolExecutor pool;

    public KeyDerivation() {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "relais-kdf-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * SaltedPassword of {@code password}, computed on the pool.
     *
     * @return fails with {@link LoginRefusedException} when the pool is saturated
     */
    public CompletableFuture<byte[]> saltedPassword(String password, byte[] salt, int iterations) {
        try {
            return CompletableFuture.supplyAsync(() -> Scram.saltedPassword(password, salt, iterations), pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new LoginRefusedException("the server is busy checking other "
                    + "logins; try again", "key derivation pool saturated"));
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
