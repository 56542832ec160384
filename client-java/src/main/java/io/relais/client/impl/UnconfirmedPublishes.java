package io.relais.client.impl;

import io.relais.client.NoRouteException;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Confirm;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The unconfirmed-publish table: publishes sent with a sequence number, waiting for their CONFIRM.
 *
 * <p>Sequence numbers are assigned here, on the event loop, in the order the publishes are written, so
 * they strictly increase on the wire as the protocol requires. A CONFIRM with {@code multiple} settles
 * every outstanding seq up to its own. A RETURN marks its publish so that the following positive CONFIRM
 * fails it with {@link NoRouteException}.
 *
 * <p>Owned by the connection's event loop: not thread-safe, no locks.
 */
final class UnconfirmedPublishes {
    private final TreeMap<Long, Entry> bySeq = new TreeMap<>();
    private long lastSeq;

    /** One publish waiting for its confirm. */
    static final class Entry {
        final CompletableFuture<Void> future;
        final long deadlineNanos;
        NoRouteException returned;

        Entry(CompletableFuture<Void> future, long deadlineNanos) {
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** Registers a publish and returns its sequence number. */
    long add(CompletableFuture<Void> future, long deadlineNanos) {
        long seq = ++lastSeq;
        bySeq.put(seq, new Entry(future, deadlineNanos));
        return seq;
    }

    /** Fails one publish (e.g. its write failed). */
    void fail(long seq, Throwable cause) {
        Entry e = bySeq.remove(seq);
        if (e != null) {
            e.future.completeExceptionally(cause);
        }
    }

    /** Records that a publish came back with RETURN; false if the seq is not outstanding. */
    boolean markReturned(long seq, NoRouteException returned) {
        Entry e = bySeq.get(seq);
        if (e == null) {
            return false;
        }
        e.returned = returned;
        return true;
    }

    /** Settles the publishes a CONFIRM names; returns how many were outstanding. */
    int confirm(Confirm confirm) {
        if (confirm.multiple()) {
            NavigableMap<Long, Entry> head = bySeq.headMap(confirm.seq(), true);
            List<Entry> settled = new ArrayList<>(head.values());
            head.clear();
            for (Entry e : settled) {
                settle(e, confirm);
            }
            return settled.size();
        }
        Entry e = bySeq.remove(confirm.seq());
        if (e == null) {
            return 0;
        }
        settle(e, confirm);
        return 1;
    }

    private static void settle(Entry e, Confirm confirm) {
        if (!confirm.ack()) {
            ErrorCode code = ErrorCode.of(confirm.code());
            e.future.completeExceptionally(new RelaisException(confirm.code(), "the broker refused the message: "
                    + (code == null ? "error " + confirm.code() : code.description())));
        } else if (e.returned != null) {
            e.future.completeExceptionally(e.returned);
        } else {
            e.future.complete(null);
        }
    }

    /** Fails every publish whose deadline has passed. */
    void expire(long nowNanos, String timeoutText) {
        List<Entry> expired = null;
        for (Iterator<Map.Entry<Long, Entry>> it = bySeq.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Entry> me = it.next();
            if (me.getValue().deadlineNanos - nowNanos > 0) {
                break;
            }
            it.remove();
            if (expired == null) {
                expired = new ArrayList<>();
            }
            expired.add(me.getValue());
        }
        if (expired != null) {
            for (Entry e : expired) {
                e.future.completeExceptionally(new RelaisException(null, "timed out after " + timeoutText
                        + " waiting for the broker to confirm a publish"));
            }
        }
    }

    /** Fails every outstanding publish. */
    void failAll(RelaisException cause) {
        List<Entry> all = new ArrayList<>(bySeq.values());
        bySeq.clear();
        for (Entry e : all) {
            e.future.completeExceptionally(cause);
        }
    }

    int size() {
        return bySeq.size();
    }
}
