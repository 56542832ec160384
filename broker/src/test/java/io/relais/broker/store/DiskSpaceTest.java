package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class DiskSpaceTest {
    private static final long MIB = 1L << 20;

    private final AtomicLong free = new AtomicLong(100 * MIB);
    private final AtomicInteger probes = new AtomicInteger();
    private final DiskSpace space = new DiskSpace("disk", () -> {
        probes.incrementAndGet();
        return free.get();
    }, 16 * MIB);

    @Test
    void shouldCountReservationsBetweenProbesWithoutProbingForEachOne() {
        int before = probes.get();
        for (int i = 0; i < 100; i++) {
            assertThat(space.reserveMessage(1000)).isTrue();
        }
        assertThat(probes.get()).as("100 KB reserved: no probe").isEqualTo(before);
        assertThat(space.free()).isEqualTo(100 * MIB - 100_000);
        for (int i = 0; i < 1000; i++) {
            space.reserveMessage(1000);
        }
        assertThat(probes.get()).as("a probe after each MiB reserved").isGreaterThan(before);
        assertThat(space.free()).as("what was reserved before the probe counts as written").isLessThanOrEqualTo(100 * MIB);
    }

    /** Reserves and, if granted, writes: the disk's free space goes down as a real one would. */
    private boolean write(boolean granted, long bytes) {
        if (granted) {
            free.addAndGet(-bytes);
        }
        return granted;
    }

    @Test
    void shouldRefuseMessagesBelowHalfTheThresholdAndSettlesBelowAQuarterAndMetadataBelowTheFloor() {
        free.set(9 * MIB);
        space.probe();
        assertThat(write(space.reserveMessage(MIB / 2), MIB / 2)).isTrue();
        assertThat(write(space.reserveMessage(MIB), MIB)).as("would leave 7.5 MiB, below 8").isFalse();
        assertThat(space.free()).as("a refusal reserves nothing").isEqualTo(9 * MIB - MIB / 2);
        assertThat(write(space.reserveSettle(4 * MIB), 4 * MIB)).as("leaves 4.5 MiB, above the last reserve")
                .isTrue();
        assertThat(write(space.reserveSettle(MIB), MIB)).as("would leave 3.5 MiB").isFalse();
        assertThat(write(space.reserveMetadata(3 * MIB), 3 * MIB)).as("leaves 1.5 MiB, above the floor").isTrue();
        assertThat(write(space.reserveMetadata(MIB), MIB)).as("would leave 0.5 MiB").isFalse();
        assertThat(space.free()).isEqualTo(free.get());
        assertThat(space.lastReserve()).isEqualTo(4 * MIB);
        assertThat(space.floor()).isEqualTo(MIB);
    }

    @Test
    void shouldNotForgetAReservationWhenItTriggersAProbe() {
        free.set(10 * MIB);
        space.probe();
        assertThat(write(space.reserveMessage(MIB), MIB)).isTrue();
        assertThat(write(space.reserveMessage(MIB + MIB / 2), MIB + MIB / 2))
                .as("probes first (a MiB reserved), then counts its own bytes: would leave 7.5 MiB").isFalse();
        assertThat(space.free()).isEqualTo(9 * MIB);
    }

    @Test
    void shouldRaiseTheAlarmBelowTheThresholdAndClearItOnlyAboveTheMargin() {
        assertThat(space.alarm()).isFalse();
        free.set(15 * MIB);
        space.probe();
        assertThat(space.alarm()).isTrue();
        free.set(31 * MIB);
        space.probe();
        assertThat(space.alarm()).as("inside the 16 MiB margin").isTrue();
        free.set(32 * MIB);
        space.probe();
        assertThat(space.alarm()).isFalse();
    }

    @Test
    void shouldKeepTheLastEstimateWhenTheFreeSpaceCannotBeRead() {
        DiskSpace failing = new DiskSpace("disk", new LongSupplier() {
            private int calls;

            @Override
            public long getAsLong() {
                if (calls++ > 0) {
                    throw new IllegalStateException("statfs failed");
                }
                return 50 * MIB;
            }
        }, 16 * MIB);
        failing.reserveMessage(MIB);
        failing.probe();
        assertThat(failing.free()).isEqualTo(49 * MIB);
        assertThat(failing.reserveMessage(MIB)).isTrue();
    }

    @Test
    void shouldKeepFixedMinimumsWhenTheThresholdIsZero() {
        DiskSpace none = new DiskSpace("disk", () -> 1500 * 1024, 0);
        assertThat(none.alarm()).isFalse();
        assertThat(none.reserveMessage(1)).as("below 2 MiB").isFalse();
        assertThat(none.reserveSettle(1)).as("above 1 MiB").isTrue();
    }
}
