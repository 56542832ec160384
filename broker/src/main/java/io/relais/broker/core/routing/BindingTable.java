package io.relais.broker.core.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The bindings of one exchange and the routing decision made from them: given a routing key,
 * which targets (queues, typically) receive the message.
 *
 * <p>A binding is a pair (binding key, target); the binding key is a pattern for topic exchanges, an
 * exact key for direct exchanges and recorded but ignored for fanout exchanges. Targets are compared
 * with {@code equals}/{@code hashCode}. A table never holds the same pair twice; the same target may
 * be bound with several keys, and {@link #match(String, Consumer)} still hands it to the sink once.
 *
 * <p>Threading: implementations are immutable. Mutators return a new table sharing structure with
 * this one and leave this one unchanged, so a writer publishes the new version through a
 * {@code volatile} field and readers on any thread call {@code match} without locking.
 *
 * @param <T> the target type; must have stable {@code equals}/{@code hashCode}
 */
public interface BindingTable<T> {

    /**
     * Returns the table for an exchange type.
     *
     * @param exchangeType {@code "topic"}, {@code "direct"} or {@code "fanout"} (exact spelling)
     * @throws IllegalArgumentException for any other type
     */
    static <T> BindingTable<T> forType(String exchangeType) {
        if (exchangeType != null) {
            switch (exchangeType) {
                case "topic":
                    return TopicTrie.empty();
                case "direct":
                    return DirectTable.empty();
                case "fanout":
                    return FanoutTable.empty();
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("unknown exchange type '" + exchangeType
                + "' (expected topic, direct or fanout)");
    }

    /**
     * Adds the binding; returns this table if it is already present.
     *
     * @throws IllegalArgumentException if the key is invalid for this exchange type
     *     (see {@link TopicPattern}); the message is meant for the client
     * @throws NullPointerException if the target is null
     */
    BindingTable<T> with(String bindingKey, T target);

    /** Removes the binding; returns this same instance if it is absent. */
    BindingTable<T> without(String bindingKey, T target);

    /** Removes every binding of the target (e.g. when its queue is deleted); this if none. */
    BindingTable<T> withoutTarget(T target);

    /** Whether exactly this (binding key, target) pair is bound. */
    boolean contains(String bindingKey, T target);

    /** The number of distinct (binding key, target) bindings. */
    int size();

    /**
     * Hands every target whose bindings match the routing key to {@code sink}, exactly once per
     * distinct target, in no particular order. Does not validate the key (validate it once when the
     * message is received, with {@link TopicPattern#validateRoutingKey}). The sink must not throw;
     * if it does, the exception propagates and the remaining targets are not delivered.
     */
    void match(String routingKey, Consumer<? super T> sink);

    /** Convenience form of {@link #match(String, Consumer)}: the matching targets, as a new list. */
    default List<T> match(String routingKey) {
        List<T> out = new ArrayList<>();
        match(routingKey, out::add);
        return out;
    }
}
