package io.relais.cli;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the crash test knows about its numbered messages (payload {@code 1, 2, 3 ...}): which ones the
 * broker confirmed, which publishes failed, which were delivered (how often), which were settled (acked,
 * and the broker was seen to have processed every ack, before a kill), and every rule broken so far.
 *
 * <p>Threads: written by publisher confirm callbacks (network threads), consumer handler threads and the
 * test thread; every method is synchronized.
 */
final class DeliveryLedger {
    private static final int MAX_VIOLATIONS_KEPT = 50;

    private final BitSet confirmed = new BitSet();
    private final BitSet failed = new BitSet();
    private final BitSet delivered = new BitSet();
    private final BitSet settled = new BitSet();
    private final TreeMap<Long, Integer> cycleByFirstNumber = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private long deliveries;
    private long redeliveries;
    private long duplicates;
    private int violationCount;

    /** Numbers from {@code firstNumber} on are published in {@code cycle} (0 is the final drain). */
    synchronized void cycleStarts(int cycle, long firstNumber) {
        cycleByFirstNumber.put(firstNumber, cycle);
    }

    synchronized void confirmed(long n) {
        confirmed.set(index(n));
    }

    synchronized void failed(long n) {
        failed.set(index(n));
    }

    /**
     * Records a delivery; a settled number delivered again, or any number delivered again without the
     * redelivered flag, is a violation.
     *
     * @param session the consumer session, for messages
     */
    synchronized void delivered(String session, long n, boolean redelivered) {
        deliveries++;
        if (redelivered) {
            redeliveries++;
        }
        if (delivered.get(index(n))) {
            duplicates++;
            if (!redelivered) {
                violation(session + ": " + n + " was delivered again without the redelivered flag");
            }
        }
        delivered.set(index(n));
        if (settled.get(index(n))) {
            violation(session + ": " + n + " was delivered again (redelivered=" + redelivered
                    + ") although it had been acked and settled before a kill");
        }
    }

    /** The numbers a consumer acked, all of them processed by the broker, become settled. */
    synchronized void settle(BitSet acked) {
        settled.or(acked);
    }

    synchronized void violation(String description) {
        violationCount++;
        if (violations.size() < MAX_VIOLATIONS_KEPT) {
            violations.add(description);
        }
    }

    /** Every rule broken, at most 50 described, plus how many were left out. */
    synchronized List<String> violations() {
        List<String> all = new ArrayList<>(violations);
        if (violationCount > violations.size()) {
            all.add("... and " + (violationCount - violations.size()) + " more");
        }
        return all;
    }

    /** Confirmed numbers never delivered, empty when none is missing. */
    synchronized BitSet confirmedButNeverDelivered() {
        BitSet missing = (BitSet) confirmed.clone();
        missing.andNot(delivered);
        return missing;
    }

    synchronized int confirmedCount() {
        return confirmed.cardinality();
    }

    /**
     * Describes some numbers as ranges with the cycle that published them, e.g.
     * {@code 1200-1399 (cycle 2), 1405 (cycle 2)}, at most 20 ranges.
     */
    synchronized String describe(BitSet numbers) {
        StringBuilder sb = new StringBuilder().append(numbers.cardinality()).append(" numbers: ");
        int ranges = 0;
        for (int from = numbers.nextSetBit(0); from >= 0; from = numbers.nextSetBit(numbers.nextClearBit(from))) {
            int to = numbers.nextClearBit(from) - 1;
            if (ranges++ == 20) {
                sb.append(", ...");
                break;
            }
            sb.append(ranges > 1 ? ", " : "").append(from).append(from == to ? "" : "-" + to).append(" (cycle ")
                    .append(cycleOf(from)).append(')');
        }
        return sb.toString();
    }

    private int cycleOf(long n) {
        Map.Entry<Long, Integer> e = cycleByFirstNumber.floorEntry(n);
        return e == null ? -1 : e.getValue();
    }

    /** Counts for the test's log. */
    synchronized String summary() {
        return "published up to " + Math.max(0, Math.max(confirmed.length(), failed.length()) - 1) + ", confirmed "
                + confirmed.cardinality() + ", failed " + failed.cardinality() + ", deliveries " + deliveries
                + " (redelivered " + redeliveries + ", duplicates " + duplicates + "), distinct delivered "
                + delivered.cardinality() + ", settled " + settled.cardinality() + ", violations " + violationCount;
    }

    private static int index(long n) {
        return Math.toIntExact(n);
    }
}
