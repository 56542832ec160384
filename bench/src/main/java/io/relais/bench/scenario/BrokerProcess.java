package io.relais.bench.scenario;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Relais broker in its own JVM for the benchmarks: default configuration, fresh data directory, the same
 * JVM flags as this process (the Chronicle and Netty ones the launcher and surefire pass) plus any given.
 * Its output goes to a log file (at most {@value #MAX_LOG_BYTES} bytes), so that a connection the broker
 * closed during a run can be explained. Not thread-safe; one owner.
 */
final class BrokerProcess implements AutoCloseable {
    static final long MAX_LOG_BYTES = 16L << 20;
    private final Process process;
    private final Path dataDir;
    private final int port;

    private BrokerProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts one, its output going to {@code log}, and waits (at most 60 s) until it listens. */
    static BrokerProcess start(List<String> extraJvmFlags, Path log) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("relais-bench-");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Dio.netty.try")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(extraJvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BrokerMain.class.getName());
        cmd.add(dataDir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("listening on ")) {
                int port = Integer.parseInt(line.substring("listening on ".length()).trim());
                BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
                writer.write(seen.toString());
                Thread drain = new Thread(() -> drain(out, writer), "bench-broker-output");
                drain.setDaemon(true);
                drain.start();
                return new BrokerProcess(p, dataDir, port);
            }
            seen.append(line).append('\n');
        }
        p.destroyForcibly();
        throw new IOException("the Relais broker did not start; its output:\n" + seen);
    }

    private static void drain(BufferedReader out, BufferedWriter log) {
        long written = 0;
        try (log) {
            String line;
            while ((line = out.readLine()) != null) {
                if (written < MAX_LOG_BYTES) {
                    log.write(line);
                    log.newLine();
                    log.flush();
                    written += line.length() + 1;
                    if (written >= MAX_LOG_BYTES) {
                        log.write("[bench: the rest of the broker's output is not kept]");
                        log.newLine();
                    }
                }
            }
        } catch (IOException ignored) {
            // The process ended, or the log cannot be written: the broker's output is not part of the figures.
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 10 s) and deletes its data directory. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
