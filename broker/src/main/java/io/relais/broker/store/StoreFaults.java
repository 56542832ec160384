package io.relais.broker.store;

/**
 * Faults that tests inject into the stores, to show what a slow or failing disk does to the rest of
 * the broker. The broker runs with {@link #NONE}; nothing in the configuration reaches this.
 *
 * <p>Called on store threads; implementations must be thread-safe.
 */
public interface StoreFaults {
    /** No faults. */
    StoreFaults NONE = queue -> {
    };

    /** Called just before a durable queue's store syncs to disk; may sleep or throw. */
    void beforeSync(String queue);
}
