package io.relais.broker.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the audit log is written and how it is rotated. Immutable; thread-safe.
 *
 * @param file the audit log; a relative path is resolved against the data directory
 *     ({@value BrokerConfig#KEY_AUDIT_FILE})
 * @param maxFileSize the size at which the file is rotated ({@value BrokerConfig#KEY_AUDIT_MAX_FILE_SIZE})
 * @param maxFiles how many rotated files are kept besides the current one
 *     ({@value BrokerConfig#KEY_AUDIT_MAX_FILES})
 */
public record AuditConfig(Path file, long maxFileSize, int maxFiles) {
    /** The defaults {@code config/relais.yaml} documents. */
    public static final AuditConfig DEFAULTS = new AuditConfig(Path.of("audit.log"), 10L * 1024 * 1024, 10);

    public AuditConfig {
        Objects.requireNonNull(file, BrokerConfig.KEY_AUDIT_FILE);
    }

    /** The file, resolved against {@code dataDir} when relative. */
    public Path resolve(Path dataDir) {
        return file.isAbsolute() ? file : dataDir.resolve(file);
    }
}
