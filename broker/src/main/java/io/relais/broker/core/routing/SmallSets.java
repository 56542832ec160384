package io.relais.broker.core.routing;

import java.util.Arrays;

/** Copy-on-write helpers for the small arrays the tables use as sets (equals-based). */
final class SmallSets {
    static final Object[] NO_OBJECTS = {};
    static final String[] NO_STRINGS = {};

    private SmallSets() {}

    static int indexOf(Object[] a, Object x) {
        if (a != null) {
            for (int i = 0; i < a.length; i++) {
                if (a[i].equals(x)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** A copy of {@code a} (null meaning empty) with {@code x} appended. */
    static <E> E[] append(E[] a, E x, E[] empty) {
        E[] base = a == null ? empty : a;
        E[] out = Arrays.copyOf(base, base.length + 1);
        out[base.length] = x;
        return out;
    }

    /** A copy of {@code a} without element {@code i}; the shared empty array if nothing is left. */
    static <E> E[] removeAt(E[] a, int i, E[] empty) {
        if (a.length == 1) {
            return empty;
        }
        E[] out = Arrays.copyOf(a, a.length - 1);
        System.arraycopy(a, i + 1, out, i, a.length - i - 1);
        return out;
    }
}
