package io.relais.broker.core.routing;

import io.relais.broker.core.access.Caller;
import java.util.Map;

/**
 * Told of every change a {@link Topology} makes to what it keeps for its clients: the declare and
 * delete of durable exchanges and queues, binds, unbinds and purges (not of the private queues of
 * pattern subscriptions, which a SUBSCRIBE makes and a CANCEL ends). The broker writes each to the
 * audit log.
 *
 * <p>Called on the topology's owner thread (never a network event loop), after the change took
 * effect; must not throw.
 */
@FunctionalInterface
public interface ChangeListener {
    /** Ignores every change. */
    ChangeListener NONE = (caller, action, kind, name, details) -> { };

    /**
     * @param caller who asked
     * @param action {@code declare}, {@code delete}, {@code bind}, {@code unbind} or {@code purge}
     * @param kind {@code exchange} or {@code queue}
     * @param name the exchange's or queue's name
     * @param details the fields of the change (a binding's exchange and key, a purge's count), in order
     */
    void changed(Caller caller, String action, String kind, String name, Map<String, String> details);
}
