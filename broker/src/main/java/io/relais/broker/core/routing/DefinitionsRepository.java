package io.relais.broker.core.routing;

/**
 * Where the topology's durable {@link Definitions} are kept. The store package implements it on
 * disk; the topology calls it on its own thread, never on a network event loop.
 */
public interface DefinitionsRepository {
    /**
     * The definitions saved last, or {@link Definitions#EMPTY}.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if they cannot be read
     */
    Definitions load();

    /**
     * Replaces the saved definitions; durable once it returns.
     *
     * @throws io.relais.broker.core.CoreException with {@code STORE_FAILED} if they cannot be written
     */
    void save(Definitions definitions);

    /** Where they are kept, for messages. */
    String location();
}
