package io.relais.client.impl;

import io.relais.client.NoRouteException;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Confirm;

/**
 * The unconfirmed-publish table: publishes sent with a sequence number, waiting for their CONFIRM.
 *
 * <p>Sequence numbers are assigned here, on the event loop, in the order the publishes are written, so
 * they strictly increase on the wire as the protocol requires; they are consecutive, so the table is a ring
 * indexed by seq (it grows when full, and never holds more than the unconfirmed window), and adding, confirming
 * and expiring allocate nothing. A CONFIRM with {@code multiple} settles every outstanding seq up to its own. A
 * RETURN marks its publish so that the following positive CONFIRM fails it with {@link NoRouteException}.
 *
 * <p>Publishes of a {@link ClientPublisher} are reported to its listener in runs: the consecutive ones that one
 * CONFIRM settles become one {@code confirmed(highest, multiple)} call per publisher.
 *
 * <p>Owned by the connection's event loop: not thread-safe, no locks.
 */
final class UnconfirmedPublishes {
    private static final int INITIAL_CAPACITY = 64;

    private OutgoingPublish[] ring = new OutgoingPublish[INITIAL_CAPACITY];
    /** Lowest seq that may still be outstanding. */
    private long headSeq = 1;
    private long lastSeq;
    private int size;

    // The run of one publisher's confirms being collected while a CONFIRM is settled.
    private ClientPublisher runPublisher;
    private long runHighest;
    private int runLength;

    /** Registers a publish and returns its sequence number. */
    long add(OutgoingPublish p, long deadlineNanos) {
        if (lastSeq + 1 - headSeq >= ring.length) {
            grow();
        }
        long seq = ++lastSeq;
        p.wireSeq = seq;
        p.deadlineNanos = deadlineNanos;
        ring[index(seq)] = p;
        size++;
        return seq;
    }

    private int index(long seq) {
        return (int) (seq & (ring.length - 1));
    }

    private void grow() {
        OutgoingPublish[] bigger = new OutgoingPublish[ring.length * 2];
        for (long s = headSeq; s <= lastSeq; s++) {
            bigger[(int) (s & (bigger.length - 1))] = ring[index(s)];
        }
        ring = bigger;
    }

    private OutgoingPublish take(long seq) {
        if (seq < headSeq || seq > lastSeq) {
            return null;
        }
        int i = index(seq);
        OutgoingPublish p = ring[i];
        if (p != null) {
            ring[i] = null;
            size--;
        }
        return p;
    }

    /** Moves the head past settled slots. */
    private void advanceHead() {
        while (headSeq <= lastSeq && ring[index(headSeq)] == null) {
            headSeq++;
        }
    }

    /** Fails one publish (e.g. its write failed). */
    void fail(long seq, RelaisException cause) {
        OutgoingPublish p = take(seq);
        if (p != null) {
            advanceHead();
            p.failed(cause);
        }
    }

    /** Records that a publish came back with RETURN; false if the seq is not outstanding. */
    boolean markReturned(long seq, NoRouteException returned) {
        OutgoingPublish p = seq < headSeq || seq > lastSeq ? null : ring[index(seq)];
        if (p == null) {
            return false;
        }
        p.returned = returned;
        return true;
    }

    /** Settles the publishes a CONFIRM names; returns how many were outstanding. */
    int confirm(Confirm confirm) {
        int settled = 0;
        if (confirm.multiple()) {
            long upTo = Math.min(confirm.seq(), lastSeq);
            for (long s = headSeq; s <= upTo; s++) {
                OutgoingPublish p = take(s);
                if (p != null) {
                    settled++;
                    settle(p, confirm);
                }
            }
        } else {
            OutgoingPublish p = take(confirm.seq());
            if (p != null) {
                settled = 1;
                settle(p, confirm);
            }
        }
        endRun();
        advanceHead();
        return settled;
    }

    private void settle(OutgoingPublish p, Confirm confirm) {
        if (!confirm.ack()) {
            ErrorCode code = ErrorCode.of(confirm.code());
            endRun();
            p.failed(RelaisException.fromBroker(confirm.code(), "the broker refused the message: "
                    + (code == null ? "error " + confirm.code() : code.description())));
        } else if (p.returned != null) {
            endRun();
            p.failed(p.returned);
        } else if (p.publisher == null) {
            p.succeeded();
        } else {
            p.settledQuietly();
            if (runPublisher != p.publisher) {
                endRun();
                runPublisher = p.publisher;
            }
            runHighest = p.publisherSeq;
            runLength++;
        }
    }

    /** Reports the run of confirms collected so far to its publisher. */
    private void endRun() {
        if (runPublisher != null) {
            ClientPublisher publisher = runPublisher;
            runPublisher = null;
            int length = runLength;
            runLength = 0;
            publisher.confirmed(runHighest, length > 1);
        }
    }

    /** Fails every publish whose deadline has passed. */
    void expire(long nowNanos, String timeoutText) {
        while (headSeq <= lastSeq) {
            OutgoingPublish p = ring[index(headSeq)];
            if (p == null) {
                headSeq++;
                continue;
            }
            if (p.deadlineNanos - nowNanos > 0) {
                return;
            }
            take(headSeq);
            headSeq++;
            p.failed(new RelaisException(null, "timed out after " + timeoutText
                    + " waiting for the broker to confirm a publish"));
        }
    }

    /**
     * Fails every outstanding publish: each future with {@code cause}, and each publisher once, with
     * {@code multiple} when it had more than one waiting.
     */
    void failAll(RelaisException cause) {
        ClientPublisher publisher = null;
        long highest = 0;
        int length = 0;
        for (long s = headSeq; s <= lastSeq; s++) {
            OutgoingPublish p = take(s);
            if (p == null) {
                continue;
            }
            if (p.publisher == null) {
                p.failed(cause);
                continue;
            }
            p.settledQuietly();
            if (publisher != p.publisher) {
                if (publisher != null) {
                    publisher.nacked(highest, cause, length > 1);
                }
                publisher = p.publisher;
                length = 0;
            }
            highest = p.publisherSeq;
            length++;
        }
        if (publisher != null) {
            publisher.nacked(highest, cause, length > 1);
        }
        headSeq = lastSeq + 1;
    }

    int size() {
        return size;
    }
}
