package io.relais.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line of a child JVM that runs the {@code relais} command from this test's own
 * classpath, the way the {@code ./relais} launcher runs it from the jar.
 *
 * <p>Every child gets the JVM flags Chronicle Queue needs, read from the system property
 * {@value #CHILD_FLAGS_PROPERTY} (surefire sets it from the root pom's {@code relais.chronicle.jvmFlags};
 * a run outside Maven must set it too). Stateless; usable from any thread.
 */
final class JavaCommand {
    /** Whitespace-separated JVM flags for every child JVM. */
    static final String CHILD_FLAGS_PROPERTY = "relais.child.jvmFlags";

    private static final String MAIN_CLASS = "io.relais.cli.RelaisCommand";

    private JavaCommand() {
    }

    /** {@code java <child flags> JVM_OPTIONS... -cp <test classpath> RelaisCommand ARGS...}. */
    static List<String> relais(List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(childJvmFlags());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN_CLASS);
        cmd.addAll(args);
        return cmd;
    }

    private static List<String> childJvmFlags() {
        String flags = System.getProperty(CHILD_FLAGS_PROPERTY, "").strip();
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }
}
