package io.relais.broker.store;


/**
 * The messages of one queue between its floor (the oldest message not yet settled) and its read
 * position: for each, its Chronicle index and whether it is settled (acknowledged, dropped or
 * expired). Sequence numbers are dense, so the window is a ring of {@code long}s addressed by
 * {@code seq - floor}, plus one bit per message.
 *
 * <p>Its size is the number of messages read from disk and not all settled below them: the
 * read-ahead, the deliveries awaiting acknowledgement, and messages acknowledged out of order
 * behind an older unacknowledged one.
 *
 * <p>Not thread-safe: owned by the store thread that drives its {@link MessageStore}.
 */
final class SettleWindow {
    private long floor;
    private long[] indexes = new long[64];
    private long[] settled = new long[1];
    private int head;
    private int size;

    SettleWindow(long floor) {
        this.floor = floor;
    }

    /** The oldest sequence number not yet settled, or the read position if all are. */
    long floor() {
        return floor;
    }

    /** Sequence number the next {@link #add} gets. */
    long end() {
        return floor + size;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Chronicle index of the floor message; only when not empty. */
    long floorIndex() {
        return indexes[head];
    }

    /** Appends the message with sequence number {@link #end()}. */
    void add(long index, boolean isSettled) {
        if (size == indexes.length) {
            grow();
        }
        int slot = (head + size) & (indexes.length - 1);
        indexes[slot] = index;
        setBit(slot, isSettled);
        size++;
    }

    /**
     * Appends {@code n} settled messages from {@link #end()} on, all at Chronicle index
     * {@code index}: messages missing from the log. O(1) when the window is empty (the floor just
     * moves); otherwise one slot each, as many as the backlog holds at most.
     */
    void addSettled(long index, long n) {
        if (size == 0) {
            floor += n;
            return;
        }
        for (long i = 0; i < n; i++) {
            add(index, true);
        }
    }

    /** True if {@code seq} is inside the window and not settled yet. */
    boolean isOpen(long seq) {
        long offset = seq - floor;
        if (offset < 0 || offset >= size) {
            return false;
        }
        return !bit(slot(offset));
    }

    /** Marks {@code seq} settled. @return false if it was outside the window or settled already */
    boolean settle(long seq) {
        if (!isOpen(seq)) {
            return false;
        }
        setBit(slot(seq - floor), true);
        return true;
    }

    /** Drops settled messages from the front. @return true if the floor moved */
    boolean advance() {
        long before = floor;
        while (size > 0 && bit(head)) {
            head = (head + 1) & (indexes.length - 1);
            size--;
            floor++;
        }
        return floor != before;
    }

    /** Every settled sequence number above the floor, for a checkpoint. */
    long[] settledAboveFloor() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (bit(slot(i))) {
                n++;
            }
        }
        long[] out = new long[n];
        n = 0;
        for (int i = 0; i < size; i++) {
            if (bit(slot(i))) {
                out[n++] = floor + i;
            }
        }
        return out;
    }

    private int slot(long offset) {
        return (int) ((head + offset) & (indexes.length - 1));
    }

    private boolean bit(int slot) {
        return (settled[slot >>> 6] & (1L << slot)) != 0;
    }

    private void setBit(int slot, boolean on) {
        if (on) {
            settled[slot >>> 6] |= 1L << slot;
        } else {
            settled[slot >>> 6] &= ~(1L << slot);
        }
    }

    private void grow() {
        int n = indexes.length;
        long[] newIndexes = new long[n * 2];
        long[] newSettled = new long[Math.max(1, n * 2 / 64)];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (n - 1);
            newIndexes[i] = indexes[from];
            if ((settled[from >>> 6] & (1L << from)) != 0) {
                newSettled[i >>> 6] |= 1L << i;
            }
        }
        indexes = newIndexes;
        settled = newSettled;
        head = 0;
    }
}
