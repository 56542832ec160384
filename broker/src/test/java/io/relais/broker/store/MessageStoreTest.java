package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.protocol.Properties;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Publish;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class MessageStoreTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long T0 = 1_790_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(T0);

    private MessageStore open() {
        return MessageStore.open(dir.resolve("q"), "q", FsyncPolicy.DEFAULT, time);
    }

    private static long append(MessageStore s, String body, boolean persistent) {
        return s.append("ex", "a.b", Properties.builder().messageId(body).headers(Map.of("h", 1L)).build(), persistent,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), T0);
    }

    /** Reads what is unread; settles the ones whose body is in {@code settle}. */
    private static List<String> readAll(MessageStore s, List<String> settle) {
        List<String> got = new ArrayList<>();
        StoredMessage m;
        while ((m = s.readNext(ALLOC)) != null) {
            String body = m.frame().payload().toString(StandardCharsets.UTF_8);
            assertThat(m.frame().properties().messageId()).isEqualTo(body);
            assertThat(m.frame().exchange()).isEqualTo("ex");
            assertThat(m.frame().routingKey()).isEqualTo("a.b");
            got.add(body);
            s.delivering(m.seq());
            if (settle.contains(body)) {
                s.settle(m.seq(), m.frame().payload().readableBytes());
            }
            m.frame().payload().release();
        }
        return got;
    }

    @Test
    void shouldReadBackMessagesInOrderWithTheirProperties() {
        try (MessageStore s = open()) {
            for (int i = 0; i < 1000; i++) {
                assertThat(append(s, "m" + i, true)).isEqualTo(i);
            }
            assertThat(s.count()).isEqualTo(1000);
            List<String> got = readAll(s, List.of());
            assertThat(got).hasSize(1000).startsWith("m0", "m1").endsWith("m999");
            assertThat(s.hasUnread()).isFalse();
        }
    }

    @Test
    void shouldRedeliverOnlyUnsettledMessagesWhenReopened() {
        try (MessageStore s = open()) {
            for (int i = 0; i < 10; i++) {
                append(s, "m" + i, true);
            }
            readAll(s, List.of("m0", "m1", "m3", "m7"));
            assertThat(s.count()).isEqualTo(6);
        }
        try (MessageStore s = open()) {
            assertThat(s.count()).isEqualTo(6);
            StoredMessage first = s.readNext(ALLOC);
            assertThat(first.possiblyDelivered()).as("read before the restart").isTrue();
            first.frame().payload().release();
        }
        try (MessageStore s = open()) {
            assertThat(s.bytes()).isEqualTo(12);
            assertThat(readAll(s, List.of("m2", "m4"))).containsExactly("m2", "m4", "m5", "m6", "m8", "m9");
            assertThat(append(s, "m10", true)).isEqualTo(10);
        }
        try (MessageStore s = open()) {
            assertThat(readAll(s, List.of())).containsExactly("m5", "m6", "m8", "m9", "m10");
        }
    }

    @Test
    void shouldRecoverSettlesWrittenAfterTheLastCheckpoint() {
        MessageStore s = open();
        for (int i = 0; i < 5; i++) {
            append(s, "m" + i, true);
        }
        s.maintain();
        readAll(s, List.of("m1", "m4"));
        // No close: the settles after the checkpoint are only in the settle log.
        s.sync();
        MessageStore again = open();
        try {
            assertThat(readAll(again, List.of())).containsExactly("m0", "m2", "m3");
        } finally {
            again.close();
            s.close();
        }
    }

    @Test
    void shouldDiscardNonPersistentMessagesWhenReopened() {
        try (MessageStore s = open()) {
            append(s, "keep", true);
            append(s, "lose", false);
            append(s, "keep2", true);
        }
        try (MessageStore s = open()) {
            assertThat(readAll(s, List.of())).containsExactly("keep", "keep2");
            assertThat(s.count()).isEqualTo(2);
        }
    }

    @Test
    void shouldTakeTheDiscardedNonPersistentMessagesOffTheDepthBeforeTheReaderGetsThere() {
        try (MessageStore s = open()) {
            for (int i = 0; i < 50; i++) {
                append(s, "p" + i, true);
                append(s, "n" + i, false);
            }
            // Settled before the restart, persistent and not: neither may be taken off twice.
            assertThat(readAll(s, List.of("p0", "n0", "n1"))).hasSize(100);
        }
        try (MessageStore s = open()) {
            assertThat(s.count()).as("before the scan, the log's count").isEqualTo(97);
            int calls = 1;
            while (!s.scanRecovered(7)) {
                calls++;
            }
            assertThat(calls).as("slices of 7 records").isGreaterThan(10);
            assertThat(s.count()).as("persistent and unsettled").isEqualTo(49);
            assertThat(s.bytes()).as("p1-p9 of 2 bytes, p10-p49 of 3").isEqualTo(9 * 2 + 40 * 3);
            List<String> got = readAll(s, List.of());
            assertThat(got).hasSize(49).allMatch(b -> b.startsWith("p")).doesNotContain("p0");
            assertThat(s.count()).as("the reader skipping them does not count them again").isEqualTo(49);
            assertThat(s.scanRecovered(7)).isTrue();
        }
    }

    @Test
    void shouldDeleteFilesWhoseMessagesAreAllSettled() throws IOException {
        try (MessageStore s = open()) {
            for (int i = 0; i < 10; i++) {
                append(s, "a" + i, true);
            }
            time.advanceMillis(MessageStore.ROLL_CYCLE.lengthInMillis());
            for (int i = 0; i < 10; i++) {
                append(s, "b" + i, true);
            }
            assertThat(cycleFiles("messages")).hasSize(2);
            List<String> settle = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                settle.add("a" + i);
            }
            assertThat(readAll(s, settle)).hasSize(20);
            s.maintain();
            assertThat(cycleFiles("messages")).hasSize(1);

            time.advanceMillis(MessageStore.ROLL_CYCLE.lengthInMillis());
            s.maintain();
            assertThat(cycleFiles("messages")).as("b messages are unsettled").hasSize(1);
        }
        try (MessageStore s = open()) {
            List<String> settle = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                settle.add("b" + i);
            }
            assertThat(readAll(s, settle)).hasSize(10);
            s.maintain();
            assertThat(cycleFiles("messages")).isEmpty();
            assertThat(cycleFiles("acks")).as("only the current cycle's settle log").hasSize(1);
            assertThat(s.count()).isZero();
            assertThat(append(s, "c", true)).isEqualTo(20);
            assertThat(readAll(s, List.of())).containsExactly("c");
        }
        try (MessageStore s = open()) {
            assertThat(s.count()).isEqualTo(1);
            assertThat(readAll(s, List.of())).containsExactly("c");
        }
    }

    @Test
    void shouldCountAHugeGapOfMissingMessagesAsSettledInOneStepAndOneLine() {
        // Records 0, 1 and then 1,000,000: what is left when the records between them are lost.
        try (SingleChronicleQueue q = MessageStore.build(dir.resolve("q").resolve("messages"), SyncMode.NONE, time);
             ExcerptAppender a = q.createAppender()) {
            RecordChecksum checksum = new RecordChecksum();
            long appended = 0;
            for (long seq : new long[] {0, 1, 1_000_000}) {
                String body = "m" + seq;
                appended += body.length();
                Publish frame = new Publish(0, "ex", "a.b", Publish.PERSISTENT,
                        Properties.builder().messageId(body).headers(Map.of("h", 1L)).build(),
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                ByteBuf header = Unpooled.buffer();
                FrameEncoder.encodeHeader(frame, header);
                try (DocumentContext dc = a.writingDocument()) {
                    MessageRecord.write(dc.wire().bytes(), checksum, seq, T0, appended, header, frame.payload());
                }
                header.release();
                frame.payload().release();
            }
        }
        Logger logger = (Logger) LoggerFactory.getLogger(MessageStore.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        long started = System.nanoTime();
        try (MessageStore s = open()) {
            assertThat(s.count()).as("counted from the last valid record until the reader gets there").isEqualTo(1_000_001);
            assertThat(readAll(s, List.of("m0", "m1"))).containsExactly("m0", "m1", "m1000000");
            assertThat(s.count()).isEqualTo(1);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(System.nanoTime() - started).as("no loop per missing number").isLessThan(2_000_000_000L);
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("messages 2 to 999999 (999998 of them) are missing");
        try (MessageStore s = open()) {
            assertThat(s.count()).as("after a restart").isEqualTo(1);
            assertThat(readAll(s, List.of())).containsExactly("m1000000");
        }
    }

    private List<Path> cycleFiles(String sub) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("q").resolve(sub))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    // ------------------------------------------------------------------ a full or failing disk

    private static final long MIB = 1L << 20;

    /** The disk of the store last opened by {@link #open(AtomicLong, StoreFaults)}. */
    private DiskSpace space;

    /** A store whose disk has {@code free} bytes free and a {@code store.min-free-disk} of 16 MiB. */
    private MessageStore open(AtomicLong free, StoreFaults faults) {
        space = new DiskSpace("test disk", free::get, 16 * MIB);
        return MessageStore.open(dir.resolve("q"), "q", FsyncPolicy.DEFAULT, time, space, faults);
    }

    @Test
    void shouldRefuseMessagesBelowHalfTheThresholdAndTakeThemAgainWhenSpaceReturns() {
        AtomicLong free = new AtomicLong(100 * MIB);
        try (MessageStore s = open(free, StoreFaults.NONE)) {
            append(s, "m0", true);
            free.set(8 * MIB);
            space.probe();
            assertThatThrownBy(() -> append(s, "refused", false)).as("below the message level (8 MiB)")
                    .isInstanceOf(DiskFullException.class).hasMessageContaining("nearly full");
            assertThat(s.count()).isEqualTo(1);
            assertThat(s.failed()).as("a refusal is not a failure").isFalse();
            free.set(100 * MIB);
            space.probe();
            assertThat(append(s, "m1", true)).isEqualTo(1);
        }
        try (MessageStore s = open(free, StoreFaults.NONE)) {
            assertThat(readAll(s, List.of())).containsExactly("m0", "m1");
        }
    }

    @Test
    void shouldKeepSettlingWhilePublishesAreRefusedAndStopOnlyAtTheLastReserve() {
        AtomicLong free = new AtomicLong(100 * MIB);
        try (MessageStore s = open(free, StoreFaults.NONE)) {
            for (int i = 0; i < 4; i++) {
                append(s, "m" + i, true);
            }
            free.set(6 * MIB); // below the message level (8 MiB), above the last reserve (4 MiB)
            space.probe();
            assertThatThrownBy(() -> append(s, "refused", true)).isInstanceOf(DiskFullException.class);
            readAll(s, List.of("m0"));
        }
        try (MessageStore s = open(new AtomicLong(6 * MIB), StoreFaults.NONE)) {
            assertThat(readAll(s, List.of("m1"))).as("m0's settlement was recorded").containsExactly("m1", "m2", "m3");
        }
        try (MessageStore s = open(new AtomicLong(3 * MIB), StoreFaults.NONE)) {
            assertThat(readAll(s, List.of("m2"))).as("m1 too").containsExactly("m2", "m3");
            assertThat(s.count()).isEqualTo(1);
        }
        try (MessageStore s = open(new AtomicLong(100 * MIB), StoreFaults.NONE)) {
            assertThat(readAll(s, List.of())).as("below the last reserve m2's settlement stayed in memory: "
                    + "delivered again, at least once").containsExactly("m2", "m3");
        }
    }

    @Test
    void shouldDeleteTheCurrentFileWhenEverythingIsSettledAndTheDiskAlarmIsUp() throws IOException {
        AtomicLong free = new AtomicLong(100 * MIB);
        DiskSpace space = new DiskSpace("test disk", free::get, 16 * MIB);
        int rounds = 5;
        try (MessageStore s = MessageStore.open(dir.resolve("q"), "q", FsyncPolicy.DEFAULT, time, space,
                StoreFaults.NONE)) {
            for (int round = 0; round < rounds; round++) {
                List<String> all = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    append(s, round + "-" + i, true);
                    all.add(round + "-" + i);
                }
                assertThat(cycleFiles("messages")).as("round %d: written to a file that exists", round).hasSize(1);
                assertThat(readAll(s, all)).as("round %d", round).isEqualTo(all);
                s.maintain();
                assertThat(cycleFiles("messages")).as("no alarm: the current file waits for its cycle").hasSize(1);
                free.set(15 * MIB);
                space.probe();
                assertThat(space.alarm()).isTrue();
                s.maintain();
                assertThat(cycleFiles("messages")).as("alarm: the current file goes at once").isEmpty();
                free.set(100 * MIB);
                space.probe();
            }
            assertThat(append(s, "b0", true)).isEqualTo(rounds * 20);
            append(s, "b1", true);
            assertThat(cycleFiles("messages")).as("the same cycle's file, made again").hasSize(1);
            assertThat(readAll(s, List.of("b0"))).containsExactly("b0", "b1");
        }
        try (MessageStore s = open()) {
            assertThat(readAll(s, List.of())).as("after a restart, from the new file only").containsExactly("b1");
            assertThat(s.count()).isEqualTo(1);
            assertThat(append(s, "b2", true)).isEqualTo(rounds * 20 + 2);
        }
    }


    @Test
    void shouldMarkTheStoreFailedOnAFaultOnAMappedFileAndRecoverWhatWasWrittenWhenReopened() {
        AtomicBoolean faulty = new AtomicBoolean();
        StoreFaults faults = new StoreFaults() {
            @Override
            public void beforeSync(String queue) {
            }

            @Override
            public void beforeAppend(String queue) {
                if (faulty.get()) {
                    throw new InternalError("a fault occurred in a recent unsafe memory access operation");
                }
            }
        };
        try (MessageStore s = open(new AtomicLong(100 * MIB), faults)) {
            append(s, "m0", true);
            append(s, "m1", true);
            faulty.set(true);
            assertThatThrownBy(() -> append(s, "m2", true)).isInstanceOf(StoreException.class)
                    .isNotInstanceOf(DiskFullException.class).hasMessageContaining("InternalError");
            assertThat(s.failed()).isTrue();
            faulty.set(false);
            assertThatThrownBy(() -> append(s, "m3", true)).as("failed until reopened")
                    .isInstanceOf(StoreException.class).hasMessageContaining("failed earlier");
            assertThat(readAll(s, List.of("m0"))).containsExactly("m0", "m1");
        }
        try (MessageStore s = open()) {
            assertThat(readAll(s, List.of())).as("m0's settlement came after the failure: not recorded")
                    .containsExactly("m0", "m1");
            assertThat(append(s, "m2", true)).isEqualTo(2);
        }
    }
}
