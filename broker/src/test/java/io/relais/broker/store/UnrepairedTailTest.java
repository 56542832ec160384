package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.protocol.Properties;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A damaged last file of the message log on a disk without room for its repair: the store opens
 * unrepaired, delivers and settles its valid messages, refuses appends and says so in one line;
 * the next open with room repairs it (defect: such a store used to refuse to open, which stopped
 * the broker).
 */
class UnrepairedTailTest {
    private static final long T0 = 1_790_000_000_000L;
    private static final long MIB = 1L << 20;
    private static final int MESSAGES = 50;
    private static final int DAMAGED = 40;
    private static final int BODY = 4096;

    @TempDir
    Path root;

    private final SetTimeProvider time = new SetTimeProvider(T0);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logRoot = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        lines.start();
        logRoot.addAppender(lines);
    }

    @AfterEach
    void release() {
        logRoot.detachAppender(lines);
    }

    private Path dir() {
        return root.resolve("q");
    }

    /** A store on a disk with {@code free} bytes free and a {@code store.min-free-disk} of 16 MiB (message level 8). */
    private MessageStore open(AtomicLong free) {
        return open(free, StoreFaults.NONE);
    }

    private MessageStore open(AtomicLong free, StoreFaults faults) {
        return MessageStore.open(dir(), "q", FsyncPolicy.DEFAULT, time, new DiskSpace("test disk", free::get, 16 * MIB),
                faults);
    }

    private static List<String> valid() {
        List<String> valid = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            if (i != DAMAGED) {
                valid.add("m" + i);
            }
        }
        return valid;
    }

    private static String body(int i) {
        String head = "m" + i + "-";
        return head + "x".repeat(BODY - head.length());
    }

    private static long append(MessageStore s, String body) {
        return s.append("ex", "a.b", Properties.builder().messageId(body.substring(0, body.indexOf('-'))).build(), true,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), T0);
    }

    /** Reads everything unread and settles it; returns the bodies' heads. */
    private static List<String> readAndSettleAll(MessageStore s) {
        List<String> got = new ArrayList<>();
        StoredMessage m;
        while ((m = s.readNext(PooledByteBufAllocator.DEFAULT)) != null) {
            String body = m.frame().payload().toString(StandardCharsets.UTF_8);
            got.add(body.substring(0, body.indexOf('-')));
            s.settle(m.seq(), m.frame().payload().readableBytes());
            m.frame().payload().release();
        }
        return got;
    }

    /** Writes the messages, closes the store, then flips a byte in the payload of message {@link #DAMAGED}. */
    private void writeAndDamage() throws IOException {
        try (MessageStore s = open(new AtomicLong(100 * MIB))) {
            for (int i = 0; i < MESSAGES; i++) {
                append(s, body(i));
            }
        }
        File last = lastFile(dir().resolve("messages"));
        byte[] content = Files.readAllBytes(last.toPath());
        byte[] needle = ("m" + DAMAGED + "-xxxx").getBytes(StandardCharsets.UTF_8);
        long at = indexOf(content, needle);
        assertThat(at).as("the payload of message %d in %s", DAMAGED, last).isPositive();
        try (RandomAccessFile f = new RandomAccessFile(last, "rw")) {
            f.seek(at + needle.length);
            f.write('y');
        }
    }

    private static long indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static File lastFile(Path logDir) {
        File[] files = logDir.toFile().listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX));
        assertThat(files).hasSize(1);
        return files[0];
    }

    private List<String> warnings() {
        List<String> got = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
        lines.list.clear();
        return got;
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString())
                    .filter(n -> n.contains(".repair") || n.endsWith(TailRepair.DAMAGED)).toList();
        }
    }

    @Test
    void shouldOpenADamagedStoreWithoutRoomToRepairItAndRepairItAtTheNextOpenWithRoom() throws IOException {
        writeAndDamage();
        List<String> valid = valid();
        // 100 KiB above the message level: the copy of the ~200 KiB kept does not fit.
        AtomicLong tight = new AtomicLong(8 * MIB + (100 << 10));

        try (MessageStore s = open(tight)) {
            List<String> said = warnings();
            assertThat(said).as("one line for the damaged file left unrepaired").hasSize(1);
            assertThat(said.get(0)).contains("queue 'q'", "message log", "is damaged", "will be repaired at the next"
                    + " start once 9 MiB are free", "valid messages are delivered");
            assertThat(leftovers()).as("no scratch copy, no damaged copy").isEmpty();

            assertThatThrownBy(() -> append(s, body(99))).isInstanceOf(StoreException.class)
                    .isNotInstanceOf(DiskFullException.class).hasMessageContaining("repaired at the next start");
            assertThat(s.refusesAppends()).isTrue();
            assertThat(s.failed()).as("settlements are still recorded").isFalse();

            assertThat(readAndSettleAll(s)).containsExactlyElementsOf(valid);
            assertThat(s.count()).isZero();
            List<String> afterReading = warnings();
            assertThat(afterReading).as("the damaged record is skipped and counted as settled, each said once")
                    .hasSize(2);
            assertThat(afterReading.get(0)).contains("is damaged", "skipping it");
            assertThat(afterReading.get(1)).contains("messages 40 to 40", "counting them as settled");
        }
        warnings();

        // Still short of room: unrepaired again, and what was settled stays settled.
        try (MessageStore s = open(tight)) {
            assertThat(warnings()).hasSize(1);
            assertThat(readAndSettleAll(s)).as("the settlements were recorded").isEmpty();
            assertThat(s.refusesAppends()).isTrue();
        }

        AtomicLong roomy = new AtomicLong(100 * MIB);
        try (MessageStore s = open(roomy)) {
            List<String> said = warnings();
            assertThat(said).hasSize(1);
            assertThat(said.get(0)).contains("cut it after its last valid record");
            assertThat(s.refusesAppends()).isFalse();
            assertThat(readAndSettleAll(s)).isEmpty();
            assertThat(append(s, body(MESSAGES))).isEqualTo(MESSAGES);
        }
        assertThat(leftovers()).containsExactly("q/messages/" + lastFile(dir().resolve("messages")).getName()
                + TailRepair.DAMAGED);

        try (MessageStore s = open(roomy)) {
            assertThat(warnings()).as("repaired once").isEmpty();
            assertThat(readAndSettleAll(s)).containsExactly("m" + MESSAGES);
        }
    }

    @Test
    void shouldOpenUnrepairedWhenTheCopyFaultsAndDeleteTheHalfWrittenCopy() throws IOException {
        writeAndDamage();
        AtomicLong roomy = new AtomicLong(100 * MIB);
        StoreFaults faultyCopy = new StoreFaults() {
            @Override
            public void beforeSync(String queue) {
            }

            @Override
            public void duringRepair(String queue) {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation in compiled"
                        + " Java code");
            }
        };

        try (MessageStore s = open(roomy, faultyCopy)) {
            List<String> said = warnings();
            assertThat(said).as("one line, and no refusal").hasSize(1);
            assertThat(said.get(0)).contains("is damaged", "its repair failed", "InternalError",
                    "will be repaired at the next start", "valid messages are delivered").doesNotContain("aside");
            assertThat(leftovers()).as("the half-written copy is deleted").isEmpty();
            assertThatThrownBy(() -> append(s, body(99))).isInstanceOf(StoreException.class);
            assertThat(readAndSettleAll(s)).containsExactlyElementsOf(valid());
        }
        warnings();

        try (MessageStore s = open(roomy)) {
            assertThat(warnings()).singleElement().asString().contains("cut it after its last valid record");
            assertThat(readAndSettleAll(s)).isEmpty();
            assertThat(append(s, body(MESSAGES))).isEqualTo(MESSAGES);
        }
    }

    /** The file offset of the {@code n}-th record (from 0) of the Chronicle queue in {@code logDir}. */
    private long recordOffset(Path logDir, int n) {
        try (SingleChronicleQueue q = MessageStore.build(logDir, SyncMode.NONE, time);
             ExcerptTailer t = q.createTailer()) {
            for (int i = 0; ; i++) {
                try (DocumentContext dc = t.readingDocument()) {
                    assertThat(dc.isPresent()).as("record %d of %s", n, logDir).isTrue();
                    if (i == n) {
                        return dc.wire().bytes().readPosition();
                    }
                }
            }
        }
    }

    @Test
    void shouldOpenAStoreWhoseSettleLogCannotBeRepairedFailedFromTheStartAndRepairItLater() throws IOException {
        AtomicLong roomy = new AtomicLong(100 * MIB);
        try (MessageStore s = open(roomy)) {
            for (int i = 0; i < MESSAGES; i++) {
                append(s, body(i));
            }
            StoredMessage m;
            for (int i = 0; i < 10 && (m = s.readNext(PooledByteBufAllocator.DEFAULT)) != null; i++) {
                s.settle(m.seq(), m.frame().payload().readableBytes());
                m.frame().payload().release();
            }
        }
        Path acks = dir().resolve("acks");
        long at = recordOffset(acks, 3);
        try (RandomAccessFile f = new RandomAccessFile(lastFile(acks), "rw")) {
            f.seek(at + 2);
            int b = f.read();
            f.seek(at + 2);
            f.write(b ^ 0x40);
        }
        warnings();

        try (MessageStore s = open(new AtomicLong(8 * MIB + (10 << 10)))) {
            List<String> said = warnings();
            assertThat(said).as("one line for the damaged settle log").hasSize(1);
            assertThat(said.get(0)).contains("settle log", "is damaged", "will be repaired at the next start",
                    "settlements are kept in memory");
            assertThat(s.failed()).as("nothing may be appended to the settle log after its hole").isTrue();
            assertThatThrownBy(() -> append(s, body(99))).isInstanceOf(StoreException.class);
            List<String> got = readAndSettleAll(s);
            assertThat(got).as("every unsettled message is delivered").containsAll(
                    valid().subList(10, MESSAGES - 1)).contains("m" + DAMAGED);
            assertThat(leftovers()).isEmpty();
        }
        warnings();

        try (MessageStore s = open(roomy)) {
            assertThat(warnings()).singleElement().asString().contains("settle log", "cut it after");
            assertThat(s.failed()).isFalse();
            assertThat(append(s, body(MESSAGES))).isEqualTo(MESSAGES);
        }
    }

    @Test
    void shouldTellAFaultOfTheDiskFromADamagedFile() {
        assertThat(TailRepair.isDiskFault(new InternalError("a fault occurred in a recent unsafe memory access")))
                .isTrue();
        assertThat(TailRepair.isDiskFault(new IllegalStateException("wrapped", new IOException("No space left"))))
                .as("through the causes").isTrue();
        assertThat(TailRepair.isDiskFault(new IllegalStateException("a mangled header"))).isFalse();
    }
}
