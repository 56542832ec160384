package io.relais.broker;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relais.broker.audit.AuditLog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines written to the audit log while it is open, as the broker wrote them. */
public final class AuditLines implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Starts collecting the audit log's lines. */
    public AuditLines() {
        appender.start();
        logger.addAppender(appender);
    }

    /** Every line so far. */
    public List<String> all() {
        synchronized (appender.list) {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : appender.list) {
                out.add(e.getFormattedMessage());
            }
            return out;
        }
    }

    /** The lines that contain every one of {@code parts}. */
    public List<String> with(String... parts) {
        List<String> out = new ArrayList<>();
        for (String line : all()) {
            boolean all = true;
            for (String p : parts) {
                all &= line.contains(p);
            }
            if (all) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
