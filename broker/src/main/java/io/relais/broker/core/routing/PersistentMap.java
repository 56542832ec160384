package io.relais.broker.core.routing;

import java.util.Objects;

/**
 * A minimal immutable hash map (a hash array mapped trie without bitmap compression): 32-way
 * branch nodes indexed by 5 bits of the key's hash, leaves holding one entry or a chain of entries
 * whose hashes are equal. {@link #put} and {@link #remove} copy only the path to the changed leaf
 * (at most 7 arrays of 32 slots), so the binding tables can keep per-target indexes without
 * copying a whole {@code HashMap} on every bind. Keys use {@code equals}/{@code hashCode}; null
 * keys and values are not allowed.
 *
 * <p>Immutable and safe to share between threads once constructed.
 */
final class PersistentMap<K, V> {
    private static final int BITS = 5;
    private static final int WIDTH = 1 << BITS;
    private static final int MASK = WIDTH - 1;
    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(null, 0);

    /** null, a {@link Leaf} or a {@link Branch}. */
    private final Object root;
    private final int size;

    private PersistentMap(Object root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(Object key) {
        int hash = hash(key);
        Object node = root;
        int shift = 0;
        while (node instanceof Branch) {
            node = ((Branch) node).slots[(hash >>> shift) & MASK];
            shift += BITS;
        }
        for (Leaf leaf = (Leaf) node; leaf != null; leaf = leaf.next) {
            if (leaf.hash == hash && leaf.key.equals(key)) {
                return (V) leaf.value;
            }
        }
        return null;
    }

    PersistentMap<K, V> put(K key, V value) {
        Objects.requireNonNull(value, "value");
        V old = get(key);
        if (old == value) {
            return this;
        }
        return new PersistentMap<>(put(root, hash(key), 0, key, value), old == null ? size + 1 : size);
    }

    PersistentMap<K, V> remove(Object key) {
        if (get(key) == null) {
            return this;
        }
        return size == 1 ? empty() : new PersistentMap<>(remove(root, hash(key), 0, key), size - 1);
    }

    private static int hash(Object key) {
        int h = key.hashCode(); // NPE for null keys, on purpose
        return h ^ (h >>> 16);
    }

    private static Object put(Object node, int hash, int shift, Object key, Object value) {
        if (node == null) {
            return new Leaf(hash, key, value, null);
        }
        if (node instanceof Leaf) {
            Leaf leaf = (Leaf) node;
            if (leaf.hash == hash) {
                return new Leaf(hash, key, value, Leaf.without(leaf, key));
            }
            // Different hashes: they differ in some bit at or above 'shift', so splitting terminates
            // at shift 30 at the latest.
            Object[] slots = new Object[WIDTH];
            slots[(leaf.hash >>> shift) & MASK] = leaf;
            return put(new Branch(slots), hash, shift, key, value);
        }
        Branch branch = (Branch) node;
        int i = (hash >>> shift) & MASK;
        Object[] slots = branch.slots.clone();
        slots[i] = put(slots[i], hash, shift + BITS, key, value);
        return new Branch(slots);
    }

    /** Only called when the key is present. */
    private static Object remove(Object node, int hash, int shift, Object key) {
        if (node instanceof Leaf) {
            return Leaf.without((Leaf) node, key);
        }
        Branch branch = (Branch) node;
        int i = (hash >>> shift) & MASK;
        Object[] slots = branch.slots.clone();
        slots[i] = remove(slots[i], hash, shift + BITS, key);
        // Collapse a branch left with a single leaf, so the structure stays shallow after removals.
        Object only = null;
        int count = 0;
        for (Object s : slots) {
            if (s != null) {
                count++;
                only = s;
            }
        }
        if (count == 0) {
            return null;
        }
        if (count == 1 && only instanceof Leaf) {
            return only;
        }
        return new Branch(slots);
    }

    private static final class Branch {
        final Object[] slots;

        Branch(Object[] slots) {
            this.slots = slots;
        }
    }

    /** One entry, and the next entry with the same hash (collision chain). */
    private static final class Leaf {
        final int hash;
        final Object key;
        final Object value;
        final Leaf next;

        Leaf(int hash, Object key, Object value, Leaf next) {
            this.hash = hash;
            this.key = key;
            this.value = value;
            this.next = next;
        }

        /** The chain without {@code key} (all entries of a chain share one hash). */
        static Leaf without(Leaf chain, Object key) {
            if (chain == null) {
                return null;
            }
            if (chain.key.equals(key)) {
                return chain.next;
            }
            Leaf rest = without(chain.next, key);
            return rest == chain.next ? chain : new Leaf(chain.hash, chain.key, chain.value, rest);
        }
    }
}
