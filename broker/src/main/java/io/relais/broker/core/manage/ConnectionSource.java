package io.relais.broker.core.manage;

/**
 * A connection of any front end, as the management view reads it. Implementations answer from any
 * thread with a recent, possibly slightly stale, snapshot.
 */
public interface ConnectionSource {
    /** What the connection looks like now. */
    ConnectionSnapshot snapshot();
}
