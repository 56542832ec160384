package io.relais.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code relais} command run as a separate JVM with this test's classpath, as the launcher runs
 * it: real standard input, output, error and exit status.
 *
 * <p>Threads: two daemon threads per process copy its standard output and error into buffers; the
 * other methods are meant for the one test thread that owns the process.
 */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread outPump;
    private final Thread errPump;

    private CliProcess(Process process) {
        this.process = process;
        this.outPump = pump(process.getInputStream(), out);
        this.errPump = pump(process.getErrorStream(), err);
    }

    /** Starts {@code relais ARGS...}. */
    static CliProcess start(String... args) {
        try {
            return new CliProcess(new ProcessBuilder(JavaCommand.relais(List.of(), List.of(args))).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code relais ARGS...} with these environment variables added. */
    static CliProcess start(Map<String, String> environment, String... args) {
        try {
            ProcessBuilder builder = new ProcessBuilder(JavaCommand.relais(List.of(), List.of(args)));
            builder.environment().putAll(environment);
            return new CliProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code relais ARGS...} with these environment variables added, to completion (at most 60 s). */
    static CliProcess run(Map<String, String> environment, String... args) {
        CliProcess p = start(environment, args);
        p.waitFor();
        return p;
    }

    /** Runs {@code relais ARGS...} to completion (at most 60 s). */
    static CliProcess run(String... args) {
        CliProcess p = start(args);
        p.waitFor();
        return p;
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    void writeStdin(String text) {
        try {
            process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("relais did not exit within 60 s; stderr: " + stderr());
            }
            outPump.join(5000);
            errPump.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until standard error contains {@code text}. */
    void awaitStderr(String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive() && !stderr().contains(text)) {
                throw new AssertionError("expected '" + text + "' on stderr; got: " + stderr());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Sends SIGTERM. Through the process handle: {@link Process#destroy()} would also close our ends of
     * the child's pipes and lose what it writes while shutting down.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
