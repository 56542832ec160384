package io.relais.broker.audit;

import io.relais.broker.core.access.Caller;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per login (succeeded or failed), per refused operation, and per
 * change to users, vhosts, permissions and durable definitions. Lines go to the SLF4J logger
 * {@value #LOGGER_NAME}; {@code relais broker} sends that logger to a rotated file of its own
 * ({@code audit.*} in the configuration), tests capture it with an appender.
 *
 * <p>Every line has {@code ts} (ISO-8601, UTC) and {@code event}; the helpers below fix the field
 * names of each kind. Thread-safe: records are built by the calling thread and the logger is.
 */
public final class AuditLog {
    /** The logger the lines go to. */
    public static final String LOGGER_NAME = "relais.audit";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private AuditLog() {
    }

    /** Starts a record of {@code event}. */
    public static AuditEvent event(String event) {
        return new AuditEvent(event, Instant.now());
    }

    /**
     * A login attempt: {@code {"event":"login","address":..,"user":..,"mechanism":..,"vhost":..,
     * "success":..,"reason":..}}; {@code reason} is null on success.
     */
    public static void login(String address, String user, String mechanism, String vhost, boolean success,
                             String reason) {
        event("login").put("address", address).put("user", user).put("mechanism", mechanism).put("vhost", vhost)
                .put("success", success).put("reason", reason).log();
    }

    /**
     * A refused operation: {@code {"event":"refused","user":..,"vhost":..,"connection":..,
     * "operation":..,"resource":..,"reason":..}}.
     */
    public static void refused(Caller caller, String operation, String resource, String reason) {
        refusedEvent(caller, operation, resource, reason).log();
    }

    /** The record {@link #refused} writes, for a caller that adds fields (a count) before it logs it. */
    public static AuditEvent refusedEvent(Caller caller, String operation, String resource, String reason) {
        return event("refused").put("user", caller.user()).put("vhost", caller.vhost())
                .put("connection", caller.connectionId()).put("operation", operation).put("resource", resource)
                .put("reason", reason);
    }

    /**
     * A change to users, vhosts, permissions or durable definitions: {@code {"event":"change",
     * "user":..,"vhost":..,"connection":..,"action":..,"kind":..,"name":..}}; the caller adds the
     * fields of the change (a binding's key, say) and calls {@link AuditEvent#log()}.
     */
    public static AuditEvent change(Caller caller, String action, String kind, String name) {
        return event("change").put("user", caller.user()).put("vhost", caller.vhost())
                .put("connection", caller.connectionId()).put("action", action).put("kind", kind).put("name", name);
    }

    static void write(String line) {
        LOG.info(line);
    }
}
