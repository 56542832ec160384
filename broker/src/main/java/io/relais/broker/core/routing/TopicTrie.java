package io.relais.broker.core.routing;

import java.util.BitSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The bindings of a topic exchange: an immutable trie of binding patterns (rules in
 * {@link TopicPattern}) whose nodes hold the targets bound with the pattern ending there.
 *
 * <h2>Structure</h2>
 * Each node has children keyed by literal word (a small open-addressing table), one child for
 * {@code *} and one for {@code #}. Mutators copy the path from the root to the changed node and
 * share everything else (a bind or unbind costs O(pattern words × children per node on the path)).
 * A per-target index (an immutable hash trie, target → its patterns) makes {@link #contains},
 * {@link #without} and {@link #withoutTarget} cheap without scanning the trie.
 *
 * <h2>Matching</h2>
 * {@link #match(String, Consumer)} walks the routing key by character indices: it never splits the
 * key and never allocates a substring, because child tables are probed with a hash computed over
 * the key's characters ({@link String#hashCode()}-compatible) and compared with
 * {@link String#regionMatches}. It is a depth-first search over (node, key position) states; it
 * visits only trie nodes whose pattern prefix can match a prefix of the key, never all bindings,
 * and uses no regular expressions.
 *
 * <p><b>No exponential blow-up.</b> A state (node, position) can be reached along several paths
 * only if the node's pattern prefix has two or more {@code #} words (with at most one {@code #},
 * the number of words it swallowed is fixed by the position). Each node records that count, and
 * states of nodes with two or more are memoized in a per-call visited set (allocated lazily, on
 * the first such node). So every state is explored at most once: the work is bounded by
 * (reachable nodes × key words), e.g. linear in the key length for {@code #.#.#.#.#.#.#.#.a}.
 * Patterns with at most one {@code #} — the common case — never touch the visited set.
 *
 * <p><b>Exactly once per target, without per-call allocation.</b> By the argument above each
 * accepting node is reached at most once per match, so a target can only be seen twice if it is
 * bound with two or more patterns. Each node keeps its targets in two arrays: {@code sole} (targets
 * whose only binding in this trie is this one — handed to the sink directly) and {@code shared}
 * (targets bound with several patterns — handed over only if not yet seen, via a per-call
 * {@code HashSet} allocated lazily on the first shared target). Mutators keep the split exact:
 * when a target gets its second binding, its first binding's node is path-copied too to move it
 * from {@code sole} to {@code shared}, and back when it drops to one binding. A match in which
 * every matching target has a single binding and no pattern has two {@code #} therefore
 * allocates nothing (the sink aside).
 *
 * <p>Recursion depth is bounded by key words plus pattern words (at most about 512 frames for
 * 255-byte keys and patterns).
 *
 * <h2>Threading</h2>
 * Immutable: any number of threads may call {@code match}, {@code contains} and {@code size}
 * concurrently and without locks, also while a writer derives new versions. Publish a new
 * version through a {@code volatile} field (or another safe-publication mechanism).
 *
 * @param <T> the target type; compared with {@code equals}/{@code hashCode}
 */
public final class TopicTrie<T> implements BindingTable<T> {
    private static final TopicTrie<?> EMPTY =
            new TopicTrie<>(Node.ROOT, PersistentMap.empty(), 0);

    private final Node root;
    /** Target → the patterns it is bound with (a non-empty array of distinct strings). */
    private final PersistentMap<T, String[]> patternsByTarget;
    private final int size;

    private TopicTrie(Node root, PersistentMap<T, String[]> patternsByTarget, int size) {
        this.root = root;
        this.patternsByTarget = patternsByTarget;
        this.size = size;
    }

    /** The trie with no bindings. */
    @SuppressWarnings("unchecked")
    public static <T> TopicTrie<T> empty() {
        return (TopicTrie<T>) EMPTY;
    }

    /**
     * Adds the binding (pattern, target); returns this trie if it is already present.
     *
     * @throws IllegalArgumentException with the {@link TopicPattern#validatePattern} message if the
     *     pattern is invalid
     */
    @Override
    public TopicTrie<T> with(String pattern, T target) {
        String error = TopicPattern.validatePattern(pattern);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        Objects.requireNonNull(target, "target");
        String[] patterns = patternsByTarget.get(target);
        if (SmallSets.indexOf(patterns, pattern) >= 0) {
            return this;
        }
        Node r = root;
        if (patterns == null) {
            r = update(r, pattern, 0, n -> n.withTargets(
                    SmallSets.append(n.sole, target, SmallSets.NO_OBJECTS), n.shared));
        } else {
            if (patterns.length == 1) {
                r = update(r, patterns[0], 0, n -> n.soleToShared(target));
            }
            r = update(r, pattern, 0, n -> n.withTargets(
                    n.sole, SmallSets.append(n.shared, target, SmallSets.NO_OBJECTS)));
        }
        return new TopicTrie<>(r,
                patternsByTarget.put(target, SmallSets.append(patterns, pattern, SmallSets.NO_STRINGS)),
                size + 1);
    }

    /** Removes the binding (pattern, target); returns this same instance if it is absent. */
    @Override
    public TopicTrie<T> without(String pattern, T target) {
        Objects.requireNonNull(target, "target");
        String[] patterns = patternsByTarget.get(target);
        int i = SmallSets.indexOf(patterns, pattern);
        if (i < 0) {
            return this;
        }
        Node r = update(root, pattern, 0, n -> n.removeTarget(target));
        String[] rest = SmallSets.removeAt(patterns, i, SmallSets.NO_STRINGS);
        PersistentMap<T, String[]> index;
        if (rest.length == 0) {
            index = patternsByTarget.remove(target);
        } else {
            if (rest.length == 1) {
                r = update(r, rest[0], 0, n -> n.sharedToSole(target));
            }
            index = patternsByTarget.put(target, rest);
        }
        return new TopicTrie<>(r, index, size - 1);
    }

    /** Removes every binding of the target; returns this same instance if it has none. */
    @Override
    public TopicTrie<T> withoutTarget(T target) {
        Objects.requireNonNull(target, "target");
        String[] patterns = patternsByTarget.get(target);
        if (patterns == null) {
            return this;
        }
        Node r = root;
        for (String p : patterns) {
            r = update(r, p, 0, n -> n.removeTarget(target));
        }
        return new TopicTrie<>(r, patternsByTarget.remove(target), size - patterns.length);
    }

    @Override
    public boolean contains(String pattern, T target) {
        return target != null && SmallSets.indexOf(patternsByTarget.get(target), pattern) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Hands every target with a pattern matching {@code routingKey} to the sink, once per distinct
     * target (see the class comment for how, and for the cost bound).
     */
    @Override
    public void match(String routingKey, Consumer<? super T> sink) {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(sink, "sink");
        visit(root, routingKey, 0, sink, null);
    }

    @Override
    public String toString() {
        return "TopicTrie[" + size + " bindings]";
    }

    /**
     * Explores state (node, p). {@code p} is the index in {@code key} where the next word starts;
     * {@code p == key.length() + 1} means every word has been consumed. Returns the scratch state,
     * created on first need (threaded through the calls so the common case allocates nothing).
     */
    private static Scratch visit(Node node, String key, int p, Consumer<?> sink, Scratch scratch) {
        Scratch s = scratch;
        if (node.hashCount >= 2) {
            if (s == null) {
                s = new Scratch();
            }
            if (!s.firstVisit(node, p)) {
                return s;
            }
        }
        int n = key.length();
        if (p > n) {
            s = deliver(node, sink, s);
            if (node.hash != null) {
                s = visit(node.hash, key, p, sink, s); // '#' matching zero words
            }
            return s;
        }
        int end = key.indexOf('.', p);
        if (end < 0) {
            end = n;
        }
        Node child = node.child(key, p, end);
        if (child != null) {
            s = visit(child, key, end + 1, sink, s);
        }
        if (node.star != null) {
            s = visit(node.star, key, end + 1, sink, s);
        }
        if (node.hash != null) {
            s = visit(node.hash, key, p, sink, s); // enter '#' without consuming a word yet
        }
        if (node.isHash) {
            s = visit(node, key, end + 1, sink, s); // this '#' swallows one more word
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Scratch deliver(Node node, Consumer<?> sink, Scratch scratch) {
        Consumer<Object> out = (Consumer<Object>) sink;
        for (Object t : node.sole) {
            out.accept(t);
        }
        Object[] shared = node.shared;
        if (shared.length == 0) {
            return scratch;
        }
        Scratch s = scratch == null ? new Scratch() : scratch;
        for (Object t : shared) {
            if (s.firstDelivery(t)) {
                out.accept(t);
            }
        }
        return s;
    }

    /**
     * Returns {@code node} with the node of the pattern suffix starting at {@code start} replaced by
     * {@code change} applied to it, creating missing nodes and dropping nodes left empty.
     */
    private static Node update(Node node, String pattern, int start, UnaryOperator<Node> change) {
        int n = pattern.length();
        if (start > n) {
            return change.apply(node);
        }
        int end = pattern.indexOf('.', start);
        if (end < 0) {
            end = n;
        }
        if (end - start == 1 && pattern.charAt(start) == '*') {
            Node c = node.star != null ? node.star : node.emptyChild(false);
            return node.withStar(nonEmpty(update(c, pattern, end + 1, change)));
        }
        if (end - start == 1 && pattern.charAt(start) == '#') {
            Node c = node.hash != null ? node.hash : node.emptyChild(true);
            return node.withHash(nonEmpty(update(c, pattern, end + 1, change)));
        }
        Node c = node.child(pattern, start, end);
        if (c == null) {
            c = node.emptyChild(false);
        }
        return node.withChild(pattern.substring(start, end), nonEmpty(update(c, pattern, end + 1, change)));
    }

    private static Node nonEmpty(Node node) {
        return node.isEmpty() ? null : node;
    }

    /** Per-call state of a match, created only when needed. Confined to the matching thread. */
    private static final class Scratch {
        private IdentityHashMap<Node, BitSet> visited;
        private HashSet<Object> delivered;

        boolean firstVisit(Node node, int p) {
            if (visited == null) {
                visited = new IdentityHashMap<>();
            }
            BitSet seen = visited.computeIfAbsent(node, k -> new BitSet());
            if (seen.get(p)) {
                return false;
            }
            seen.set(p);
            return true;
        }

        boolean firstDelivery(Object target) {
            if (delivered == null) {
                delivered = new HashSet<>();
            }
            return delivered.add(target);
        }
    }

    /** An immutable trie node. Identity matters (memoization), so no equals/hashCode. */
    private static final class Node {
        private static final String[] NO_KEYS = {};
        private static final Node[] NO_NODES = {};
        static final Node ROOT = new Node(NO_KEYS, NO_NODES, 0, null, null,
                SmallSets.NO_OBJECTS, SmallSets.NO_OBJECTS, false, 0);

        /** Literal-word children: open addressing, linear probing, length 0 or a power of two. */
        final String[] keys;
        final Node[] kids;
        final int kidCount;
        final Node star;
        final Node hash;
        /** Targets bound here whose only binding in the trie is this one. */
        final Object[] sole;
        /** Targets bound here that are also bound with other patterns. */
        final Object[] shared;
        /** Whether this node is reached through a {@code #} word. */
        final boolean isHash;
        /** The number of {@code #} words on the path from the root to here, this one included. */
        final int hashCount;

        Node(String[] keys, Node[] kids, int kidCount, Node star, Node hash, Object[] sole,
                Object[] shared, boolean isHash, int hashCount) {
            this.keys = keys;
            this.kids = kids;
            this.kidCount = kidCount;
            this.star = star;
            this.hash = hash;
            this.sole = sole;
            this.shared = shared;
            this.isHash = isHash;
            this.hashCount = hashCount;
        }

        boolean isEmpty() {
            return kidCount == 0 && star == null && hash == null && sole.length == 0
                    && shared.length == 0;
        }

        Node emptyChild(boolean viaHash) {
            return new Node(NO_KEYS, NO_NODES, 0, null, null, SmallSets.NO_OBJECTS,
                    SmallSets.NO_OBJECTS, viaHash, hashCount + (viaHash ? 1 : 0));
        }

        /** The child for the word {@code s[from, to)}, or null. Allocation-free. */
        Node child(String s, int from, int to) {
            if (kidCount == 0) {
                return null;
            }
            int len = to - from;
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + s.charAt(i);
            }
            int mask = keys.length - 1;
            for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
                String k = keys[i];
                if (k == null) {
                    return null;
                }
                if (k.hashCode() == h && k.length() == len && k.regionMatches(0, s, from, len)) {
                    return kids[i];
                }
            }
        }

        /** This node with the child for {@code word} replaced ({@code null} removes it). */
        Node withChild(String word, Node child) {
            int count = 0;
            String[] ks = new String[kidCount + 1];
            Node[] ns = new Node[kidCount + 1];
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null && !keys[i].equals(word)) {
                    ks[count] = keys[i];
                    ns[count++] = kids[i];
                }
            }
            if (child != null) {
                ks[count] = word;
                ns[count++] = child;
            }
            String[] newKeys = NO_KEYS;
            Node[] newKids = NO_NODES;
            if (count > 0) {
                int cap = Integer.highestOneBit(count * 2 - 1) << 1; // smallest power of two >= 2*count
                newKeys = new String[cap];
                newKids = new Node[cap];
                for (int j = 0; j < count; j++) {
                    int i = spread(ks[j].hashCode()) & (cap - 1);
                    while (newKeys[i] != null) {
                        i = (i + 1) & (cap - 1);
                    }
                    newKeys[i] = ks[j];
                    newKids[i] = ns[j];
                }
            }
            return new Node(newKeys, newKids, count, star, hash, sole, shared, isHash, hashCount);
        }

        Node withStar(Node newStar) {
            return new Node(keys, kids, kidCount, newStar, hash, sole, shared, isHash, hashCount);
        }

        Node withHash(Node newHash) {
            return new Node(keys, kids, kidCount, star, newHash, sole, shared, isHash, hashCount);
        }

        Node withTargets(Object[] newSole, Object[] newShared) {
            return new Node(keys, kids, kidCount, star, hash, newSole, newShared, isHash, hashCount);
        }

        Node removeTarget(Object target) {
            int i = SmallSets.indexOf(sole, target);
            if (i >= 0) {
                return withTargets(SmallSets.removeAt(sole, i, SmallSets.NO_OBJECTS), shared);
            }
            int j = SmallSets.indexOf(shared, target);
            if (j < 0) {
                throw new IllegalStateException("index and trie disagree about " + target);
            }
            return withTargets(sole, SmallSets.removeAt(shared, j, SmallSets.NO_OBJECTS));
        }

        Node soleToShared(Object target) {
            int i = SmallSets.indexOf(sole, target);
            if (i < 0) {
                throw new IllegalStateException("index and trie disagree about " + target);
            }
            return withTargets(SmallSets.removeAt(sole, i, SmallSets.NO_OBJECTS),
                    SmallSets.append(shared, sole[i], SmallSets.NO_OBJECTS));
        }

        Node sharedToSole(Object target) {
            int i = SmallSets.indexOf(shared, target);
            if (i < 0) {
                throw new IllegalStateException("index and trie disagree about " + target);
            }
            return withTargets(SmallSets.append(sole, shared[i], SmallSets.NO_OBJECTS),
                    SmallSets.removeAt(shared, i, SmallSets.NO_OBJECTS));
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
