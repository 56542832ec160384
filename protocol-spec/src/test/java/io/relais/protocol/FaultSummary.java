package io.relais.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The fault-injection suite's report: each fault test prints one summary line per fault kind it
 * injected ({@code FAULT <kind> <what happened>}) to the test output and appends it to
 * {@code target/fault-summary.txt} of the module under test, so that a run shows at a glance what
 * was injected and what held. Also says how long the suite runs: short by default, long with
 * {@code -Drelais.faults.long=true} (for example {@code ./mvnw verify -Drelais.faults.long=true}).
 *
 * <p>Thread-safe: {@link #report} is synchronized; the rest is stateless.
 */
public final class FaultSummary {
    private static final Path FILE = Path.of("target", "fault-summary.txt");

    private FaultSummary() {
    }

    /** True when the long fault runs were asked for with {@code -Drelais.faults.long=true}. */
    public static boolean longRun() {
        return Boolean.getBoolean("relais.faults.long");
    }

    /** {@code shortRun} in the default run, {@code longRun} with {@code -Drelais.faults.long=true}. */
    public static int rounds(int shortRun, int longRun) {
        return longRun() ? longRun : shortRun;
    }

    /**
     * Prints and records one summary line.
     *
     * @param kind   the fault kind, for example {@code disk-full/non-persistent}
     * @param format what happened, as {@link String#format} with {@code args}
     */
    public static synchronized void report(String kind, String format, Object... args) {
        String line = String.format(Locale.ROOT, "FAULT %-32s %s", kind, String.format(Locale.ROOT, format, args));
        System.out.println(line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(could not append to " + FILE.toAbsolutePath() + ": " + e + ")");
        }
    }
}
