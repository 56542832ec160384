package io.relais.broker.core.routing;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The bindings of a fanout exchange: every message goes to every bound target, whatever its
 * routing key. Binding keys are recorded, so that a binding is the pair (key, target) as in
 * AMQP ({@link #without} needs the same key, {@link #size} counts pairs), but ignored for routing;
 * a target bound with several keys still receives each message once. A key may be at most
 * {@value TopicPattern#MAX_BYTES} UTF-8 bytes.
 *
 * <p>Immutable: the distinct targets are kept in a flat array for matching (a plain loop, no
 * allocation) plus a persistent target → keys map; binding or unbinding a new target copies the
 * array (O(targets)), which is fine for how rarely bindings change.
 *
 * <p>Threading: immutable; readers on any thread need no locks; publish new versions through a
 * {@code volatile} field.
 *
 * @param <T> the target type; compared with {@code equals}/{@code hashCode}
 */
public final class FanoutTable<T> implements BindingTable<T> {
    private static final FanoutTable<?> EMPTY =
            new FanoutTable<>(SmallSets.NO_OBJECTS, PersistentMap.empty(), 0);

    /** The distinct bound targets, in first-bound order. */
    private final Object[] targets;
    /** Target → the distinct keys it is bound with (non-empty). */
    private final PersistentMap<T, String[]> keysByTarget;
    private final int size;

    private FanoutTable(Object[] targets, PersistentMap<T, String[]> keysByTarget, int size) {
        this.targets = targets;
        this.keysByTarget = keysByTarget;
        this.size = size;
    }

    /** The table with no bindings. */
    @SuppressWarnings("unchecked")
    public static <T> FanoutTable<T> empty() {
        return (FanoutTable<T>) EMPTY;
    }

    /**
     * Adds the binding; returns this table if it is already present.
     *
     * @throws IllegalArgumentException if the key is null or longer than 255 UTF-8 bytes
     */
    @Override
    public FanoutTable<T> with(String key, T target) {
        String error = TopicPattern.validateKeyLength("binding key", key);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        if (SmallSets.indexOf(keys, key) >= 0) {
            return this;
        }
        Object[] newTargets = keys == null
                ? SmallSets.append(targets, target, SmallSets.NO_OBJECTS)
                : targets;
        return new FanoutTable<>(newTargets,
                keysByTarget.put(target, SmallSets.append(keys, key, SmallSets.NO_STRINGS)),
                size + 1);
    }

    /** Removes the binding; returns this same instance if it is absent. */
    @Override
    public FanoutTable<T> without(String key, T target) {
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        int i = SmallSets.indexOf(keys, key);
        if (i < 0) {
            return this;
        }
        if (keys.length == 1) {
            return withoutTarget(target);
        }
        return new FanoutTable<>(targets,
                keysByTarget.put(target, SmallSets.removeAt(keys, i, SmallSets.NO_STRINGS)), size - 1);
    }

    /** Removes every binding of the target; returns this same instance if it has none. */
    @Override
    public FanoutTable<T> withoutTarget(T target) {
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        if (keys == null) {
            return this;
        }
        return new FanoutTable<>(
                SmallSets.removeAt(targets, SmallSets.indexOf(targets, target), SmallSets.NO_OBJECTS),
                keysByTarget.remove(target), size - keys.length);
    }

    @Override
    public boolean contains(String key, T target) {
        return target != null && SmallSets.indexOf(keysByTarget.get(target), key) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    /** Hands every bound target to the sink, once; the routing key is ignored (but not null). */
    @Override
    @SuppressWarnings("unchecked")
    public void match(String routingKey, Consumer<? super T> sink) {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(sink, "sink");
        for (Object t : targets) {
            sink.accept((T) t);
        }
    }

    @Override
    public String toString() {
        return "FanoutTable[" + size + " bindings]";
    }
}
