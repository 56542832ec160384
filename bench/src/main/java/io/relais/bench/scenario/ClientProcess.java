package io.relais.bench.scenario;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runner's handle on one {@link ClientMain} process: starts it with the runner's classpath and JVM
 * flags, sends it commands and reads its answers. Its standard error goes to a temporary file whose end is
 * quoted when it fails. Not thread-safe; one owner.
 */
final class ClientProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader in;
    private final PrintStream commands;
    private final Path errors;

    private ClientProcess(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
        this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Starts one and waits until its roles run. */
    static ClientProcess start(String system, String server, List<String> roles) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Dio.netty.try")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ClientMain.class.getName());
        cmd.add(system);
        cmd.add(server);
        cmd.addAll(roles);
        Path errors = Files.createTempFile("relais-bench-client-", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
        ClientProcess c = new ClientProcess(p, errors);
        c.expect("ready");
        return c;
    }

    private String expect(String prefix) throws IOException {
        String line = in.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException("client process " + process.pid() + " answered "
                    + (line == null ? "nothing (it exited)" : "'" + line + "'") + stderrTail());
        }
        return line;
    }

    private String stderrTail() {
        try {
            String text = Files.readString(errors);
            return text.isBlank() ? "" : "; its standard error ends with: "
                    + text.substring(Math.max(0, text.length() - 600)).replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** Zeroes its counts; returns its client-side backlog. */
    long reset() throws IOException {
        commands.println("reset");
        return Long.parseLong(expect("ok ").substring(3).trim());
    }

    void rate(long perSecond) throws IOException {
        commands.println("rate " + perSecond);
        expect("ok ");
    }

    /** Adds its counts to {@code into}; returns its client-side backlog. */
    long report(Stats into) throws IOException {
        commands.println("report");
        String[] f = expect("stats ").split(" ");
        into.add(f, 1);
        return Long.parseLong(f[5]);
    }

    /** Asks it to stop, waits 15 s, then kills it. */
    @Override
    public void close() {
        commands.println("stop");
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        File f = errors.toFile();
        f.delete();
    }
}
