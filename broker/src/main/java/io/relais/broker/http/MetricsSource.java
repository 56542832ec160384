package io.relais.broker.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where {@code GET /metrics} gets its Prometheus text (format 0.0.4) from: the broker's metrics exporter.
 * Implementations are thread-safe, write from memory without blocking (the HTTP server calls it on an event
 * loop) and keep what they write bounded.
 */
@FunctionalInterface
public interface MetricsSource {
    /** Writes the current metrics in the Prometheus text format to {@code out}. */
    void writeTo(OutputStream out) throws IOException;
}
