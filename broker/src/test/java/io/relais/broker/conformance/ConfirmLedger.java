package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.frame.Confirm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Settles the sequence numbers of one connection's publishes from the CONFIRM frames it receives,
 * checking the rules of PROTOCOL.md 4.23 and 6.2 as it goes: each seq is confirmed exactly once
 * (by its own CONFIRM or a later {@code multiple} one), confirms come in increasing seq order,
 * {@code multiple} is only used with acks. Single-threaded.
 */
final class ConfirmLedger {
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private final Map<Long, Confirm> settled = new HashMap<>();
    private long lastConfirmed;

    /** A PUBLISH with this seq was sent and waits for its confirmation. */
    void published(long seq) {
        outstanding.add(seq);
    }

    /** Applies one CONFIRM, asserting that it is allowed. */
    void confirmed(Confirm c) {
        assertThat(c.seq()).as("%s: confirms come in increasing seq order (4.23, 6.2)", c).isGreaterThan(lastConfirmed);
        assertThat(outstanding).as("%s: its seq is an unconfirmed publish (each seq is confirmed once, 4.23)", c)
                .contains(c.seq());
        lastConfirmed = c.seq();
        if (c.multiple()) {
            assertThat(c.ack()).as("%s: multiple is only used with ack = true (4.23)", c).isTrue();
            for (Long seq : List.copyOf(outstanding.headSet(c.seq(), true))) {
                outstanding.remove(seq);
                settled.put(seq, c);
            }
        } else {
            outstanding.remove(c.seq());
            settled.put(c.seq(), c);
        }
        if (!c.ack()) {
            assertThat(c.code()).as("%s: a nack carries its error code (4.23)", c).isBetween(1000, 1999);
        } else {
            assertThat(c.code()).as("%s: an ack carries code 0 (4.23)", c).isZero();
        }
    }

    /** True once every published seq is settled. */
    boolean done() {
        return outstanding.isEmpty();
    }

    /** True if {@code seq} was settled with an ack. */
    boolean acked(long seq) {
        Confirm c = settled.get(seq);
        assertThat(c).as("the confirmation of seq %d", seq).isNotNull();
        return c.ack();
    }

    /** The error code {@code seq} was refused with; fails if it was acked. */
    int nackCode(long seq) {
        assertThat(acked(seq)).as("seq %d was refused", seq).isFalse();
        return settled.get(seq).code();
    }
}
