package io.relais.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The {@code --password-stdin} option of {@code relais user add} and {@code user passwd}, and how the new
 * password is read: one line of standard input with the option or when standard input is not a terminal;
 * otherwise asked twice on the console, without echo. Used by one command on the main thread.
 */
final class PasswordInput {
    @Option(names = "--password-stdin", description = "Read the password as one line of standard input.")
    boolean stdin;

    /**
     * The password for {@code user}.
     *
     * @throws IllegalArgumentException when there is none, it is empty, or the two entries differ
     */
    String read(String user) throws IOException {
        Console console = System.console();
        String password;
        if (stdin || console == null) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            password = in.readLine();
            if (password == null) {
                throw new IllegalArgumentException("no password on standard input (one line expected)");
            }
        } else {
            char[] first = console.readPassword("Password for user '%s': ", user);
            char[] again = console.readPassword("Again: ");
            if (first == null || again == null || !Arrays.equals(first, again)) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            password = new String(first);
            Arrays.fill(first, ' ');
            Arrays.fill(again, ' ');
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        return password;
    }
}
