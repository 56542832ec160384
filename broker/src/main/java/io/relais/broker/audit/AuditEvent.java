package io.relais.broker.audit;

import io.relais.broker.core.LogText;
import java.time.Instant;

/**
 * One audit record being built: an event type and its fields, written as one JSON object on one
 * line by {@link #log()}. Field values are escaped ({@link LogText}), so a client-supplied name
 * can neither break the line nor forge a field. Not thread-safe: build and log it on one thread.
 */
public final class AuditEvent {
    private final StringBuilder json = new StringBuilder(160);

    AuditEvent(String event, Instant at) {
        json.append("{\"ts\":\"").append(at).append("\",\"event\":\"").append(LogText.escape(event)).append('"');
    }

    /** Adds a string field; a null value is written as JSON null. */
    public AuditEvent put(String name, String value) {
        json.append(",\"").append(name).append("\":");
        if (value == null) {
            json.append("null");
        } else {
            json.append('"').append(LogText.escape(value)).append('"');
        }
        return this;
    }

    /** Adds a number field. */
    public AuditEvent put(String name, long value) {
        json.append(",\"").append(name).append("\":").append(value);
        return this;
    }

    /** Adds a boolean field. */
    public AuditEvent put(String name, boolean value) {
        json.append(",\"").append(name).append("\":").append(value);
        return this;
    }

    /** The JSON line, without its newline. */
    public String toJson() {
        return json + "}";
    }

    /** Writes the record to the audit log. */
    public void log() {
        AuditLog.write(toJson());
    }
}
