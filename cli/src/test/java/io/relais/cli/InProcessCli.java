package io.relais.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs a {@code relais} command in this JVM through {@link RelaisCommand#commandLine()} (the error handling and
 * exit codes of the real command), with its standard output and error captured; for commands that print through
 * picocli's writers ({@code status}, {@code definitions}, {@code connection}). Used from the test thread.
 *
 * @param exitCode the exit status
 * @param stdout what it printed on standard output
 * @param stderr what it printed on standard error
 */
record InProcessCli(int exitCode, String stdout, String stderr) {
    /** Runs {@code relais ARGS...} to completion. */
    static InProcessCli run(String... args) {
        CommandLine cl = RelaisCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new InProcessCli(exit, out.toString(), err.toString());
    }
}
