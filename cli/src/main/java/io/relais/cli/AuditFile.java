package io.relais.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.config.AuditConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends the broker's audit logger ({@link AuditLog#LOGGER_NAME}) to a file of its own, rotated by
 * size ({@code audit.*} in the configuration), and nowhere else. Called once by {@code relais
 * broker} before the broker starts; logback's appender is thread-safe.
 */
final class AuditFile {
    private AuditFile() {
    }

    /** Installs the appender for {@code audit}; {@code dataDir} resolves a relative file. */
    static Path install(AuditConfig audit, Path dataDir) {
        Path file = audit.resolve(dataDir).toAbsolutePath();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("AUDIT");
        appender.setFile(file.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(Math.max(1, audit.maxFiles()));
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(audit.maxFileSize()));
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        appender.setEncoder(encoder);
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        encoder.start();
        rolling.start();
        trigger.start();
        appender.start();
        Logger logger = context.getLogger(AuditLog.LOGGER_NAME);
        logger.detachAndStopAllAppenders();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        return file;
    }
}
