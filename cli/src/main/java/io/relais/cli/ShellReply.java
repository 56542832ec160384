package io.relais.cli;

import io.relais.client.Delivery;
import io.relais.client.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code relais reply --exec CMD} answer: runs {@code /bin/sh -c CMD} once per request, with the request's
 * payload on its standard input and its standard error passed through, and replies with its standard output
 * less one final newline.
 * A command that exits non-zero, cannot start or runs longer than {@value #TIME_LIMIT_SECONDS} s (it is then
 * killed) declines the request with a warning on standard error.
 *
 * <p>Thread-safe: it keeps no state between requests; each call starts its own process, whose input is fed and
 * output collected on two threads of a pool of daemon threads.
 */
final class ShellReply {
    static final int TIME_LIMIT_SECONDS = 30;

    private final String command;
    private final ExecutorService pipes = Executors.newCachedThreadPool(runnable -> {
        Thread t = new Thread(runnable, "relais-reply-pipe");
        t.setDaemon(true);
        return t;
    });

    ShellReply(String command) {
        this.command = command;
    }

    /** The reply for one request, or {@code null} (after a warning) when the command failed. */
    Reply handle(Delivery request) throws InterruptedException {
        try {
            return Reply.of(run(request.payload()));
        } catch (IOException | CommandFailedException e) {
            System.err.println("relais: warning: request " + request.properties().correlationId() + " on '"
                    + request.routingKey() + "' rejected: " + e.getMessage());
            System.err.flush();
            return null;
        }
    }

    private byte[] run(byte[] input) throws IOException, InterruptedException, CommandFailedException {
        Process process = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            CompletableFuture<Void> feeding = CompletableFuture.runAsync(
                    () -> feed(process.getOutputStream(), input), pipes);
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(
                    () -> drain(process.getInputStream()), pipes);
            if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new CommandFailedException("'" + command + "' ran longer than " + TIME_LIMIT_SECONDS
                        + " s and was killed");
            }
            if (process.exitValue() != 0) {
                throw new CommandFailedException("'" + command + "' exited with status " + process.exitValue());
            }
            feeding.join();
            return withoutFinalNewline(output.get(TIME_LIMIT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new CommandFailedException("cannot read the output of '" + command + "': " + e.getMessage());
        } finally {
            process.destroyForcibly();
        }
    }

    /** Like the shell's {@code $(...)}, but only one newline: {@code relais request} prints it back. */
    private static byte[] withoutFinalNewline(byte[] out) {
        return out.length > 0 && out[out.length - 1] == '\n' ? Arrays.copyOf(out, out.length - 1) : out;
    }

    private static void feed(OutputStream stdin, byte[] input) {
        try (stdin) {
            stdin.write(input);
        } catch (IOException e) {
            // The command does not read its input (or exited early); it may still answer.
        }
    }

    private static byte[] drain(InputStream stdout) {
        try (stdout) {
            return stdout.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command ran but did not produce a reply. */
    private static final class CommandFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandFailedException(String message) {
            super(message);
        }
    }
}
