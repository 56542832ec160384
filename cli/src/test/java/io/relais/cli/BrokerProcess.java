package io.relais.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in its own JVM, {@code relais broker --port 0 --data-dir DIR}, so that a test can crash it
 * with SIGKILL ({@link #kill()}) or stop it with SIGTERM ({@link #stop()}) and start another one on the
 * same data directory.
 *
 * <p>{@link #start} returns once the broker has printed its "listening on HOST:PORT" line. The child runs
 * with the Chronicle JVM flags (see {@link JavaCommand}) and {@code -Xmx512m}.
 *
 * <p>Threads: one daemon thread per process copies its output (standard error and output, merged) into a
 * buffer; every method may be called from any thread.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Relais broker listening on (\\S+):(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final StringBuilder output = new StringBuilder(); // guarded by itself
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread pump;

    private BrokerProcess(Process process) {
        this.process = process;
        this.pump = new Thread(this::copyOutput, "broker-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts a broker on any free port and waits (at most 30 s) until it listens.
     *
     * @throws AssertionError with the broker's output if it exits or stays silent instead
     */
    static BrokerProcess start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts a broker on {@code port} (0: any free one), as {@link #start(Path)} does. */
    static BrokerProcess start(Path dataDir, int port) {
        return start(dataDir, port, List.of());
    }

    /** Starts a broker on any free port with more {@code relais broker} options, as {@link #start(Path)} does. */
    static BrokerProcess start(Path dataDir, List<String> moreArgs) {
        return start(dataDir, 0, moreArgs);
    }

    private static BrokerProcess start(Path dataDir, int port, List<String> moreArgs) {
        List<String> args = new ArrayList<>(List.of("broker", "--port", String.valueOf(port), "--data-dir",
                dataDir.toString()));
        if (port != 0) {
            // A fixed protocol port keeps the HTTP listener on its fixed default (7421), which tests must not take.
            args.addAll(List.of("--http-port", "0"));
        }
        args.addAll(moreArgs);
        BrokerProcess broker;
        try {
            broker = new BrokerProcess(new ProcessBuilder(JavaCommand.relais(List.of("-Xmx512m"), args))
                    .redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            broker.port.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return broker;
        } catch (ExecutionException | TimeoutException e) {
            broker.kill();
            throw new AssertionError("broker did not start listening within " + START_TIMEOUT.toSeconds()
                    + " s (exit status " + broker.process.exitValue() + "); its output:\n" + broker.output());
        } catch (InterruptedException e) {
            broker.kill();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void copyOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(2)));
                }
            }
        } catch (IOException ignored) {
            // The process ended.
        } finally {
            port.completeExceptionally(new IllegalStateException("broker output ended"));
        }
    }

    /** The TCP port it listens on. */
    int port() {
        return port.join();
    }

    /** {@code 127.0.0.1:PORT}, for {@code --server} and the client builder. */
    String server() {
        return "127.0.0.1:" + port();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills it with SIGKILL, as a crash would, and waits until it is gone. Through the process handle, which
     * sends the same signal as {@link Process#destroyForcibly()} but keeps our end of its output open.
     */
    void kill() {
        process.toHandle().destroyForcibly();
        awaitExit("SIGKILL");
    }

    /** Sends SIGTERM (a clean shutdown) and waits until it has exited; returns the exit status. */
    int stop() {
        process.toHandle().destroy();
        return awaitExit("SIGTERM");
    }

    private int awaitExit(String after) {
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().destroyForcibly();
                throw new AssertionError("broker " + pid() + " still running " + EXIT_TIMEOUT.toSeconds()
                        + " s after " + after + "; its output:\n" + output());
            }
            pump.join(EXIT_TIMEOUT.toMillis());
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** How many lines it printed so far. */
    long lineCount() {
        return output().lines().count();
    }

    /** Everything it printed so far, for diagnostics. */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Kills it if still alive. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "broker pid " + pid() + (port.isDone() && !port.isCompletedExceptionally() ? " port " + port() : "");
    }
}
