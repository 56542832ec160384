package io.relais.broker.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relais.broker.audit.AuditLog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The audit log's lines while it is open. */
final class Audit implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    Audit() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The lines that contain every one of {@code parts}. */
    List<String> with(String... parts) {
        List<String> out = new ArrayList<>();
        synchronized (appender.list) {
            for (ILoggingEvent e : appender.list) {
                String line = e.getFormattedMessage();
                boolean all = true;
                for (String p : parts) {
                    all &= line.contains(p);
                }
                if (all) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
