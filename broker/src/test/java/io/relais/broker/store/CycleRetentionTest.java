package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CycleRetentionTest {
    /** 2026-12-01 08:35 UTC, the cycle of the old broker's files in src/test/resources/fixtures/. */
    private static final long T0 = Instant.parse("2026-12-01T08:35:00Z").toEpochMilli();
    private static final long CYCLE_MILLIS = MessageStore.ROLL_CYCLE.lengthInMillis();

    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(T0);
    private SingleChronicleQueue messages;
    private SingleChronicleQueue acks;
    private ExcerptAppender messageAppender;
    private ExcerptAppender ackAppender;
    private LongValue checkpointIndex;
    private CycleRetention retention;

    @BeforeEach
    void open() {
        messages = queue("messages");
        acks = queue("acks");
        messageAppender = messages.createAppender();
        ackAppender = acks.createAppender();
        checkpointIndex = acks.indexForId("checkpoint");
        retention = new CycleRetention("q", messages, acks, checkpointIndex);
    }

    @AfterEach
    void close() {
        messageAppender.close();
        ackAppender.close();
        messages.close();
        acks.close();
    }

    private SingleChronicleQueue queue(String sub) {
        return MessageStore.build(dir.resolve(sub), SyncMode.NONE, time);
    }

    private static long writeOne(ExcerptAppender appender) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeLong(1);
        }
        return appender.lastIndexAppended();
    }

    private int nowCycle() {
        return MessageStore.ROLL_CYCLE.current(time, 0);
    }

    private List<String> cycleFiles(String sub) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(sub))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void shouldNameCycleFilesAsChronicleDoes() {
        RollCycle rc = MessageStore.ROLL_CYCLE;
        int cycle = (int) (T0 / CYCLE_MILLIS);

        assertThat(CycleRetention.cycleFileName(rc, cycle)).isEqualTo("20261201-0835.cq4");
        assertThat(CycleRetention.cycleOf(rc, "20261201-0835.cq4")).isEqualTo(cycle);
        assertThat(CycleRetention.cycleOf(rc, CycleRetention.cycleFileName(rc, cycle + 1000))).isEqualTo(cycle + 1000);
        assertThat(CycleRetention.cycleOf(rc, "not-a-cycle.cq4")).isNull();
        assertThat(CycleRetention.cycleOf(rc, "20261201-0835V.cq4")).as("a five-minute file").isNull();
    }

    @Test
    void shouldNameTheFilesOfStoresMadeByEarlierVersionsAsChronicleDoes() {
        RollCycle old = MessageStore.OLD_ROLL_CYCLE;
        int cycle = (int) (T0 / old.lengthInMillis());

        assertThat(CycleRetention.cycleFileName(old, cycle)).isEqualTo("20261201-0835V.cq4");
        assertThat(CycleRetention.cycleOf(old, "20261201-0835V.cq4")).isEqualTo(cycle);
    }

    @Test
    void shouldKeepTheFiveMinuteCycleOfAStoreMadeByAnEarlierVersion() {
        Path old = dir.resolve("old");
        try (SingleChronicleQueue q = MessageStore.build(old, SyncMode.NONE, time, MessageStore.OLD_ROLL_CYCLE)) {
            writeOne(q.createAppender());
        }
        assertThat(MessageStore.rollCycleOf(old)).isEqualTo(MessageStore.OLD_ROLL_CYCLE);
        try (SingleChronicleQueue q = MessageStore.build(old, SyncMode.NONE, time)) {
            assertThat(q.rollCycle()).isEqualTo(MessageStore.OLD_ROLL_CYCLE);
        }
        assertThat(MessageStore.rollCycleOf(dir.resolve("new"))).isEqualTo(MessageStore.ROLL_CYCLE);
    }

    @Test
    void shouldDeleteTheFilesBeforeTheOneStillNeededWhenCyclesInBetweenHaveNoFile() throws IOException {
        int first = nowCycle();
        writeOne(messageAppender);
        writeOne(ackAppender);
        time.advanceMillis(3 * CYCLE_MILLIS);
        long needed = writeOne(messageAppender);
        checkpointIndex.setOrderedValue(writeOne(ackAppender));
        assertThat(cycleFiles("messages")).hasSize(2);

        retention.retain(nowCycle(), false, needed, false);

        String kept = CycleRetention.cycleFileName(MessageStore.ROLL_CYCLE, first + 3);
        assertThat(cycleFiles("messages")).containsExactly(kept);
        assertThat(cycleFiles("acks")).containsExactly(kept);
    }

    @Test
    void shouldKeepEveryMessageFileWhenNothingWasReadYet() throws IOException {
        writeOne(messageAppender);
        time.advanceMillis(CYCLE_MILLIS);
        writeOne(messageAppender);

        retention.retain(nowCycle(), false, -1, false);

        assertThat(cycleFiles("messages")).hasSize(2);
    }

    @Test
    void shouldKeepOnlyTheCurrentCyclesFileWhenEverythingIsSettled() throws IOException {
        writeOne(messageAppender);
        time.advanceMillis(CYCLE_MILLIS);
        long last = writeOne(messageAppender);
        time.advanceMillis(CYCLE_MILLIS);

        retention.retain(nowCycle(), true, last, false);

        assertThat(cycleFiles("messages")).isEmpty();
    }

    @Test
    void shouldKeepTheSettleLogWhenThereIsNoCheckpoint() throws IOException {
        writeOne(ackAppender);
        time.advanceMillis(CYCLE_MILLIS);
        writeOne(ackAppender);

        retention.retain(nowCycle(), true, -1, false);

        assertThat(cycleFiles("acks")).hasSize(2);
    }

    private Path damagedFile(String sub, int cycle) throws IOException {
        Path f = dir.resolve(sub).resolve(CycleRetention.cycleFileName(MessageStore.ROLL_CYCLE, cycle)
                + TailRepair.DAMAGED);
        Files.write(f, new byte[4096]);
        return f;
    }

    @Test
    void shouldDeleteTheDamagedFilesOfARepairWithTheFilesOfTheirCycle() throws IOException {
        int first = nowCycle();
        writeOne(messageAppender);
        writeOne(ackAppender);
        Path oldMessages = damagedFile("messages", first);
        Path oldSettles = damagedFile("acks", first);
        time.advanceMillis(CYCLE_MILLIS);
        long needed = writeOne(messageAppender);
        checkpointIndex.setOrderedValue(writeOne(ackAppender));
        Path current = damagedFile("messages", first + 1);

        retention.retain(nowCycle(), false, needed, false);

        assertThat(oldMessages).as("older than every message still needed").doesNotExist();
        assertThat(oldSettles).as("older than the checkpoint").doesNotExist();
        assertThat(current).as("of the cycle still needed").exists();
    }

    @Test
    void shouldKeepTheDamagedFileOfACycleStillNeeded() throws IOException {
        long needed = writeOne(messageAppender);
        Path damaged = damagedFile("messages", nowCycle());
        time.advanceMillis(CYCLE_MILLIS);
        writeOne(messageAppender);

        retention.retain(nowCycle(), false, needed, false);

        assertThat(damaged).exists();
        assertThat(cycleFiles("messages")).hasSize(2);
    }

    @Test
    void shouldDeleteEveryDamagedFileAtOnceWhileTheDiskAlarmIsRaised() throws IOException {
        long needed = writeOne(messageAppender);
        writeOne(ackAppender);
        Path messagesDamaged = damagedFile("messages", nowCycle());
        Path settlesDamaged = damagedFile("acks", nowCycle());

        retention.retain(nowCycle(), false, needed, true);

        assertThat(messagesDamaged).doesNotExist();
        assertThat(settlesDamaged).doesNotExist();
        assertThat(cycleFiles("messages")).as("the cycle files still needed stay").hasSize(1);
        assertThat(cycleFiles("acks")).hasSize(1);
    }

    @Test
    void shouldDeleteTheDamagedFilesWithEveryCycleFileWhenTheCurrentOneIsReclaimed() throws IOException {
        writeOne(messageAppender);
        Path damaged = damagedFile("messages", nowCycle());
        messageAppender.close();
        messages.close();

        CycleRetention.deleteCycleFiles("q", dir.resolve("messages"), MessageStore.ROLL_CYCLE);

        assertThat(damaged).doesNotExist();
        assertThat(cycleFiles("messages")).isEmpty();
        messages = queue("messages");
        messageAppender = messages.createAppender();
    }
}
