package io.relais.broker.core.routing;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The bindings of a direct exchange: a message goes to the targets bound with a key equal to its
 * routing key. Binding keys are compared exactly; {@code '*'} and {@code '#'} have no special
 * meaning here. A key may be at most {@value TopicPattern#MAX_BYTES} UTF-8 bytes.
 *
 * <p>Immutable (two persistent hash maps: key → targets and target → keys), so matching is one
 * hash lookup with no allocation. Since a routing key equals at most one binding key, and a
 * binding key holds each target once, each target is delivered at most once per match.
 *
 * <p>Threading: immutable; readers on any thread need no locks; publish new versions through a
 * {@code volatile} field.
 *
 * @param <T> the target type; compared with {@code equals}/{@code hashCode}
 */
public final class DirectTable<T> implements BindingTable<T> {
    private static final DirectTable<?> EMPTY =
            new DirectTable<>(PersistentMap.empty(), PersistentMap.empty(), 0);

    /** Key → the distinct targets bound with it (non-empty). */
    private final PersistentMap<String, Object[]> targetsByKey;
    /** Target → the distinct keys it is bound with (non-empty). */
    private final PersistentMap<T, String[]> keysByTarget;
    private final int size;

    private DirectTable(PersistentMap<String, Object[]> targetsByKey,
            PersistentMap<T, String[]> keysByTarget, int size) {
        this.targetsByKey = targetsByKey;
        this.keysByTarget = keysByTarget;
        this.size = size;
    }

    /** The table with no bindings. */
    @SuppressWarnings("unchecked")
    public static <T> DirectTable<T> empty() {
        return (DirectTable<T>) EMPTY;
    }

    /**
     * Adds the binding; returns this table if it is already present.
     *
     * @throws IllegalArgumentException if the key is null or longer than 255 UTF-8 bytes
     */
    @Override
    public DirectTable<T> with(String key, T target) {
        String error = TopicPattern.validateKeyLength("binding key", key);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        if (SmallSets.indexOf(keys, key) >= 0) {
            return this;
        }
        return new DirectTable<>(
                targetsByKey.put(key, SmallSets.append(targetsByKey.get(key), target, SmallSets.NO_OBJECTS)),
                keysByTarget.put(target, SmallSets.append(keys, key, SmallSets.NO_STRINGS)),
                size + 1);
    }

    /** Removes the binding; returns this same instance if it is absent. */
    @Override
    public DirectTable<T> without(String key, T target) {
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        int i = SmallSets.indexOf(keys, key);
        if (i < 0) {
            return this;
        }
        String[] restKeys = SmallSets.removeAt(keys, i, SmallSets.NO_STRINGS);
        return new DirectTable<>(
                removeTarget(targetsByKey, key, target),
                restKeys.length == 0 ? keysByTarget.remove(target) : keysByTarget.put(target, restKeys),
                size - 1);
    }

    /** Removes every binding of the target; returns this same instance if it has none. */
    @Override
    public DirectTable<T> withoutTarget(T target) {
        Objects.requireNonNull(target, "target");
        String[] keys = keysByTarget.get(target);
        if (keys == null) {
            return this;
        }
        PersistentMap<String, Object[]> byKey = targetsByKey;
        for (String key : keys) {
            byKey = removeTarget(byKey, key, target);
        }
        return new DirectTable<>(byKey, keysByTarget.remove(target), size - keys.length);
    }

    private static PersistentMap<String, Object[]> removeTarget(
            PersistentMap<String, Object[]> byKey, String key, Object target) {
        Object[] targets = byKey.get(key);
        Object[] rest = SmallSets.removeAt(targets, SmallSets.indexOf(targets, target), SmallSets.NO_OBJECTS);
        return rest.length == 0 ? byKey.remove(key) : byKey.put(key, rest);
    }

    @Override
    public boolean contains(String key, T target) {
        return target != null && SmallSets.indexOf(keysByTarget.get(target), key) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    /** Hands each target bound with exactly {@code routingKey} to the sink, once. */
    @Override
    @SuppressWarnings("unchecked")
    public void match(String routingKey, Consumer<? super T> sink) {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(sink, "sink");
        Object[] targets = targetsByKey.get(routingKey);
        if (targets != null) {
            for (Object t : targets) {
                sink.accept((T) t);
            }
        }
    }

    @Override
    public String toString() {
        return "DirectTable[" + size + " bindings]";
    }
}
