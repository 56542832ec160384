package io.relais.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code relais definitions export|import}: the broker's definitions (vhosts, users with their SCRAM
 * credentials, permissions, exchanges, queues, bindings) as one JSON document, through the HTTP admin API
 * ({@code GET} and {@code POST /api/definitions}); administrators only. Runs on the main thread.
 */
@Command(name = "definitions", mixinStandardHelpOptions = true, description = "Export or import the broker's "
        + "definitions (vhosts, users, permissions, exchanges, queues, bindings) as one JSON document "
        + "(administrators only; through the HTTP admin API).",
        subcommands = {DefinitionsCommand.Export.class, DefinitionsCommand.Import.class})
final class DefinitionsCommand {
    /** The sections of a definitions document, in the order a summary names them. */
    static final List<String> SECTIONS = List.of("vhosts", "users", "permissions", "exchanges", "queues", "bindings");
    /** The largest file {@code import} reads (the broker's own limit, http.max-body, is usually lower). */
    static final long MAX_FILE_BYTES = AdminApi.MAX_RESPONSE_BYTES;

    private DefinitionsCommand() {
    }

    /** {@code 2 vhosts, 3 users, ...}: the size of each section of {@code definitions}. */
    static String summary(JsonNode definitions) {
        List<String> parts = new ArrayList<>();
        for (String section : SECTIONS) {
            JsonNode list = definitions.path(section);
            parts.add((list.isArray() ? list.size() : 0) + " " + section);
        }
        return String.join(", ", parts);
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write the definitions to FILE "
            + "(- for standard output). The file holds the users' SCRAM credentials (not their passwords): it "
            + "is created readable by its owner only.")
    static final class Export implements Callable<Integer> {
        @Mixin
        AdminApiOption api;

        @Parameters(paramLabel = "FILE", description = "The file to write (replaced if it exists), or - for "
                + "standard output.")
        String file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode definitions = api.connect().get("/api/definitions");
            if (definitions == null || !definitions.isObject()) {
                throw new IllegalStateException("GET /api/definitions answered no JSON object");
            }
            String text = AdminApi.JSON.writeValueAsString(definitions) + "\n";
            PrintWriter out = spec.commandLine().getOut();
            if (file.equals("-")) {
                out.print(text);
            } else {
                Path target = Path.of(file);
                write(target, text);
                out.println("exported " + summary(definitions) + " to " + target);
            }
            out.flush();
            return 0;
        }

        /** Writes a file only its owner may read, complete or not at all (a temporary file, then a move). */
        private static void write(Path target, String text) throws IOException {
            Path dir = target.toAbsolutePath().getParent();
            Path temp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(dir, ".definitions", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".definitions", ".tmp");
            try {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Load the definitions of FILE (as "
            + "'export' writes them; - for standard input) into the broker. Additive: what is missing is "
            + "created; an object that exists with other properties is refused (PRECONDITION_FAILED, naming it) "
            + "and left as it is.")
    static final class Import implements Callable<Integer> {
        @Mixin
        AdminApiOption api;

        @Parameters(paramLabel = "FILE", description = "The definitions document (JSON), or - for standard input.")
        String file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode definitions = read();
            api.connect().send("POST", "/api/definitions", definitions);
            PrintWriter out = spec.commandLine().getOut();
            out.println("imported " + summary(definitions) + " from " + (file.equals("-") ? "standard input" : file));
            out.flush();
            return 0;
        }

        private JsonNode read() throws IOException {
            byte[] content;
            if (file.equals("-")) {
                content = System.in.readNBytes((int) MAX_FILE_BYTES + 1);
            } else {
                Path source = Path.of(file);
                if (!Files.isRegularFile(source)) {
                    throw new IllegalArgumentException("no such file: " + file);
                }
                if (Files.size(source) > MAX_FILE_BYTES) {
                    throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
                }
                content = Files.readAllBytes(source);
            }
            if (content.length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("standard input holds more than " + MAX_FILE_BYTES + " bytes");
            }
            JsonNode definitions;
            try {
                definitions = AdminApi.JSON.readTree(content);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage()
                        + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
            }
            if (definitions == null || !definitions.isObject()) {
                throw new IllegalArgumentException(file + " does not hold a definitions document (a JSON object "
                        + "with " + String.join(", ", SECTIONS) + ")");
            }
            return definitions;
        }
    }
}
