package io.relais.client.impl;

import io.netty.channel.ChannelHandlerContext;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Frame;
import java.util.Arrays;

/**
 * Coalesces one connection's acknowledgements into ACK frames with {@code multiple} (PROTOCOL.md 4.30, 7.4),
 * without ever acknowledging a delivery the application has not acknowledged.
 *
 * <p>An ACK with {@code multiple} settles every outstanding delivery of the connection with a smaller tag, across
 * subscriptions, so the coalescer keeps the tags of every manual-ack delivery still outstanding (delivered and not
 * yet settled by the application), in tag order. Acknowledgements of subscriptions that batch
 * ({@code SubscribeOptions.batchAcks}) collect in a run while the mailbox drains; at the end of the drain the run
 * goes out as one ACK(highest, multiple) for the tags below the lowest outstanding one, and as exact ACKs for
 * the rest (the gaps). A NACK, a REJECT or an acknowledgement of a subscription that does not batch sends the run
 * first, then itself, so frames keep the order the application settled in.
 *
 * <p>Owned by the connection's event loop: not thread-safe, no locks. Adding and settling a delivery allocates
 * nothing (primitive arrays that grow, compacted as settled tags leave them).
 */
final class AckCoalescer {
    private static final int INITIAL_CAPACITY = 64;

    /** Outstanding manual-ack tags in increasing order from {@code head}; a negated tag has been settled. */
    private long[] tags = new long[INITIAL_CAPACITY];
    private ActiveSubscription[] subs = new ActiveSubscription[INITIAL_CAPACITY];
    private int head;
    private int tail;
    private long lastTag;
    /** False once the broker sent a tag out of order: then every acknowledgement goes out exactly. */
    private boolean ordered = true;

    /** Acknowledged tags not sent yet, in the order the application acknowledged them. */
    private long[] run = new long[INITIAL_CAPACITY];
    private int runLength;

    /** A manual-ack delivery arrived ({@code sub} null when its subscription is unknown: it is never settled). */
    void delivered(long tag, ActiveSubscription sub) {
        if (tag <= lastTag) {
            ordered = false;
            return;
        }
        lastTag = tag;
        if (tail == tags.length) {
            makeRoom();
        }
        tags[tail] = tag;
        subs[tail] = sub;
        tail++;
    }

    private void makeRoom() {
        int live = 0;
        for (int i = head; i < tail; i++) {
            if (tags[i] > 0) {
                live++;
            }
        }
        long[] t = live * 2 > tags.length ? new long[tags.length * 2] : tags;
        ActiveSubscription[] s = live * 2 > tags.length ? new ActiveSubscription[tags.length * 2] : subs;
        int j = 0;
        for (int i = head; i < tail; i++) {
            if (tags[i] > 0) {
                t[j] = tags[i];
                s[j] = subs[i];
                j++;
            }
        }
        if (t == tags) {
            Arrays.fill(s, j, tail, null);
        }
        tags = t;
        subs = s;
        head = 0;
        tail = j;
    }

    /** The tag is no longer outstanding (its settlement is being sent, or the broker took it back). */
    private void remove(long tag) {
        int lo = head;
        int hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = Math.abs(tags[mid]);
            if (v < tag) {
                lo = mid + 1;
            } else if (v > tag) {
                hi = mid - 1;
            } else {
                if (tags[mid] > 0) {
                    tags[mid] = -tags[mid];
                    subs[mid] = null;
                    trim();
                }
                return;
            }
        }
    }

    private void trim() {
        while (head < tail && tags[head] < 0) {
            head++;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    /** The lowest outstanding tag, or {@link Long#MAX_VALUE} when none is. */
    private long lowestOutstanding() {
        return head < tail ? tags[head] : Long.MAX_VALUE;
    }

    /**
     * The broker took back every outstanding delivery of {@code sub} (consumer timeout, PROTOCOL.md 7.9): they no
     * longer hold back coalescing.
     */
    void requeued(ActiveSubscription sub) {
        for (int i = head; i < tail; i++) {
            if (subs[i] == sub) {
                tags[i] = -tags[i];
                subs[i] = null;
            }
        }
        trim();
    }

    /** Outstanding tags tracked; for tests. */
    int outstanding() {
        int n = 0;
        for (int i = head; i < tail; i++) {
            if (tags[i] > 0) {
                n++;
            }
        }
        return n;
    }

    /** The application acknowledged {@code tag} of a subscription that batches: joins the run. */
    void ack(long tag) {
        if (!ordered) {
            return;
        }
        remove(tag);
        if (runLength == run.length) {
            run = Arrays.copyOf(run, run.length * 2);
        }
        run[runLength++] = tag;
    }

    /** True when acknowledgements may be coalesced on this connection. */
    boolean coalescing() {
        return ordered;
    }

    /** Sends the run, then {@code frame} (a settlement that is not coalesced) for {@code tag}. */
    void single(ChannelHandlerContext ctx, long tag, Frame frame) {
        flush(ctx);
        if (ordered) {
            remove(tag);
        }
        ctx.write(frame, ctx.voidPromise());
    }

    /** Writes the run: one ACK with {@code multiple} for what lies below the lowest outstanding tag, exact ACKs above. */
    void flush(ChannelHandlerContext ctx) {
        int n = runLength;
        if (n == 0) {
            return;
        }
        runLength = 0;
        long lowest = lowestOutstanding();
        long highestBelow = 0;
        int below = 0;
        for (int i = 0; i < n; i++) {
            if (run[i] < lowest) {
                below++;
                highestBelow = Math.max(highestBelow, run[i]);
            }
        }
        if (below > 0) {
            ctx.write(new Ack(highestBelow, below > 1), ctx.voidPromise());
        }
        for (int i = 0; i < n; i++) {
            if (run[i] > lowest) {
                ctx.write(new Ack(run[i], false), ctx.voidPromise());
            }
        }
    }

    /** The connection is not open: the run is dropped (the broker requeues what is outstanding). */
    void discardRun() {
        runLength = 0;
    }
}
