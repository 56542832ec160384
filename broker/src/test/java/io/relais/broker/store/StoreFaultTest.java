package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.Properties;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Torn writes and bit flips of a store's last files (issue 10, Deliver 2 and 7): a store of
 * {@value #MESSAGES} messages, some settled before its last checkpoint and some after, left as by
 * {@code kill -9}; then, for many offsets of the last message-log file and of the last settle-log
 * file, a copy of it truncated at the offset, or with one bit flipped there, is opened. Each must
 * open (or refuse with the documented clear error), deliver every message whose record is intact
 * and unsettled exactly once and nothing else, count its depth right, take a new message and
 * keep it across a restart, and log at most a couple of lines. One {@link FaultSummary} line per
 * fault kind; {@code -Drelais.faults.long=true} tries many more offsets.
 */
class StoreFaultTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long T0 = 1_790_000_000_000L;
    private static final int MESSAGES = 60;
    /** At most this many WARN or ERROR lines from the broker's own loggers per damaged store opened. */
    private static final int MAX_LINES = 3;

    @TempDir
    static Path root;
    private static Path pristine;
    /** The payload of each message, by sequence number. */
    private static final Map<Long, String> BODIES = new HashMap<>();
    /** Sequence numbers settled before the crash. */
    private static final Set<Long> SETTLED = new HashSet<>();
    /** Where each message's record is in the message-log file: seq -> {start of header, end}. */
    private static final Map<Long, long[]> MESSAGE_AT = new HashMap<>();
    /** Where each settle-log record is: {start of header, end, settled seq or -1 for a checkpoint}. */
    private static final List<long[]> SETTLE_AT = new ArrayList<>();
    private static MessageStore crashed;

    private final Logger logRoot = (Logger) LoggerFactory.getLogger("io.relais");
    private int caseNo;

    @BeforeAll
    static void writeAStoreAndCrash() throws IOException {
        Path dir = root.resolve("original");
        SetTimeProvider time = new SetTimeProvider(T0);
        crashed = MessageStore.open(dir, "q", FsyncPolicy.DEFAULT, time);
        for (long i = 0; i < MESSAGES; i++) {
            String body = "message-" + i + "-" + "x".repeat((int) (i * 7 % 50));
            BODIES.put(i, body);
            ByteBuf payload = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            crashed.append("ex", "k", Properties.builder().messageId(body).build(), true, payload, T0);
            payload.release();
        }
        StoredMessage m;
        while ((m = crashed.readNext(ALLOC)) != null) {
            long seq = m.seq();
            crashed.delivering(seq);
            if (seq % 3 == 0 || seq == 1) {
                settle(m);
            }
            m.frame().payload().release();
        }
        crashed.maintain();
        // Settled after the checkpoint: only in ACK records. 0..2 settled moves the floor to 3... and 4 is above it.
        for (long seq : new long[] {2, 4, 5, 7, 40, 41, 59}) {
            crashed.settle(seq, BODIES.get(seq).length());
            SETTLED.add(seq);
        }
        crashed.sync();
        // kill -9: the store is never closed; its files are copied as they are.
        pristine = root.resolve("pristine");
        copyStore(dir, pristine);
        locate();
    }

    private static void settle(StoredMessage m) {
        crashed.settle(m.seq(), m.frame().payload().readableBytes());
        SETTLED.add(m.seq());
    }

    @AfterAll
    static void close() {
        crashed.close();
        // Hundreds of stores were opened and closed: let Chronicle unmap their files now rather than
        // in the background while the next test class measures latencies.
        BackgroundResourceReleaser.releasePendingResources();
    }

    /** Reads where every record is in the last file of each log of the pristine copy. */
    private static void locate() {
        try (SingleChronicleQueue q = MessageStore.build(pristine.resolve("messages"), SyncMode.NONE, () -> T0);
             ExcerptTailer t = q.createTailer()) {
            MessageRecord r = new MessageRecord();
            RecordChecksum c = new RecordChecksum();
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long start = dc.wire().bytes().readPosition();
                    long end = dc.wire().bytes().readLimit();
                    assertThat(r.read(dc.wire().bytes(), c)).isNull();
                    MESSAGE_AT.put(r.seq(), new long[] {start - 4, end});
                }
            }
        }
        try (SingleChronicleQueue q = MessageStore.build(pristine.resolve("acks"), SyncMode.NONE, () -> T0);
             ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long start = dc.wire().bytes().readPosition();
                    long end = dc.wire().bytes().readLimit();
                    byte type = dc.wire().bytes().readByte(start);
                    long seq = type == AckRecord.TYPE ? dc.wire().bytes().readLong(start + 5) : -1;
                    SETTLE_AT.add(new long[] {start - 4, end, seq});
                }
            }
        }
        assertThat(MESSAGE_AT).hasSize(MESSAGES);
        assertThat(SETTLE_AT).hasSizeGreaterThan(SETTLED.size());
    }

    // ------------------------------------------------------------------------------ the faults

    @Test
    void shouldRecoverEveryIntactMessageWhenTheMessageLogIsTruncatedAtAnyOffset() throws IOException {
        Tally tally = new Tally();
        for (long offset : offsets(messagesStart(), messagesEnd())) {
            Path dir = damage("messages", f -> f.setLength(offset));
            Set<Long> intact = new TreeSet<>();
            MESSAGE_AT.forEach((seq, at) -> {
                if (at[1] <= offset) {
                    intact.add(seq);
                }
            });
            intact.removeAll(SETTLED);
            check(tally, dir, "truncated at " + offset, intact, Set.of());
        }
        tally.report("store/truncate-message-log");
    }

    @Test
    void shouldRecoverEveryIntactMessageWhenABitOfTheMessageLogIsFlippedAtAnyOffset() throws IOException {
        Tally tally = new Tally();
        int bit = 0;
        for (long offset : offsets(messagesStart(), messagesEnd())) {
            int mask = 1 << (bit++ % 8);
            Path dir = damage("messages", f -> flip(f, offset, mask));
            // The record hit is lost; a flip in a Chronicle document header may hide every record after it too.
            boolean inHeader = MESSAGE_AT.values().stream().anyMatch(at -> offset >= at[0] && offset < at[0] + 4);
            Set<Long> intact = new TreeSet<>();
            MESSAGE_AT.forEach((seq, at) -> {
                if (at[1] <= offset || (!inHeader && at[0] > offset)) {
                    intact.add(seq);
                }
            });
            intact.removeAll(SETTLED);
            check(tally, dir, "bit " + Integer.numberOfTrailingZeros(mask) + " flipped at " + offset, intact,
                    Set.of());
        }
        tally.report("store/flip-message-log");
    }

    @Test
    void shouldDeliverEveryUnsettledMessageWhenTheSettleLogIsTruncatedAtAnyOffset() throws IOException {
        Tally tally = new Tally();
        for (long offset : offsets(settleStart(), settleEnd())) {
            Path dir = damage("acks", f -> f.setLength(offset));
            check(tally, dir, "settle log truncated at " + offset, unsettledIntact(), settledAfter(offset));
        }
        tally.report("store/truncate-settle-log");
    }

    @Test
    void shouldDeliverEveryUnsettledMessageWhenABitOfTheSettleLogIsFlippedAtAnyOffset() throws IOException {
        Tally tally = new Tally();
        int bit = 0;
        for (long offset : offsets(settleStart(), settleEnd())) {
            int mask = 1 << (bit++ % 8);
            Path dir = damage("acks", f -> flip(f, offset, mask));
            check(tally, dir, "settle log bit flipped at " + offset, unsettledIntact(), settledAfter(offset));
        }
        tally.report("store/flip-settle-log");
    }

    @Test
    void shouldOpenOrRefuseClearlyWhenTheHeaderOfTheLastFileIsDamaged() throws IOException {
        Tally tally = new Tally();
        long[] offsets = FaultSummary.longRun() ? new long[] {0, 1, 8, 64, 100, 400, 1000, 4096, 20_000, 30_000,
            messagesStart() - 1} : new long[] {0, 100, 20_000, messagesStart() - 1};
        for (long offset : offsets) {
            check(tally, damage("messages", f -> f.setLength(offset)), "message log header truncated at " + offset,
                    Set.of(), Set.of(), true);
            check(tally, damage("messages", f -> flip(f, offset, 0x10)), "message log header flipped at " + offset,
                    Set.of(), Set.of(), true);
            check(tally, damage("acks", f -> flip(f, offset, 0x10)), "settle log header flipped at " + offset,
                    unsettledIntact(), new HashSet<>(SETTLED), true);
        }
        tally.report("store/damaged-file-header");
    }

    // ------------------------------------------------------------------------------ checking one

    /**
     * Opens the damaged store in {@code dir} and checks it.
     *
     * @param mustDeliver    the messages it must deliver: unsettled, with an intact record
     * @param mayComeBackToo settled messages that may be delivered again, since their settlement was damaged
     */
    private void check(Tally tally, Path dir, String fault, Set<Long> mustDeliver, Set<Long> mayComeBackToo) {
        check(tally, dir, fault, mustDeliver, mayComeBackToo, false);
    }

    /** As above; {@code mayRefuse}: the damage is where refusing to open is the documented answer. */
    private void check(Tally tally, Path dir, String fault, Set<Long> mustDeliver, Set<Long> mayComeBackToo,
                       boolean mayRefuse) {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logRoot.addAppender(lines);
        SetTimeProvider time = new SetTimeProvider(T0 + 1000);
        long started = System.nanoTime();
        try {
            MessageStore store;
            try {
                store = MessageStore.open(dir, "q", FsyncPolicy.DEFAULT, time);
            } catch (StoreException e) {
                assertThat(mayRefuse).as("%s: refused to open: %s", fault, e.getMessage()).isTrue();
                assertThat(e.getMessage()).as(fault).contains(dir.toString()).contains("move the");
                System.out.println("REFUSED " + fault + ": " + e.getMessage());
                tally.refused++;
                return;
            }
            long depthAtOpen = store.count();
            Map<Long, String> delivered;
            long newSeq;
            try {
                delivered = drain(store, fault);
                assertThat(delivered.keySet()).as("%s: every intact unsettled message", fault)
                        .containsAll(mustDeliver);
                Set<Long> allowed = new HashSet<>(BODIES.keySet());
                allowed.removeAll(SETTLED);
                allowed.addAll(mayComeBackToo);
                assertThat(allowed).as("%s: nothing settled comes back unless its settlement was damaged", fault)
                        .containsAll(delivered.keySet());
                assertThat(store.count()).as("%s: depth once all is read", fault).isEqualTo(delivered.size());
                assertThat(depthAtOpen).as("%s: depth at open", fault).isGreaterThanOrEqualTo(delivered.size());
                newSeq = appendNew(store, fault);
                Map<Long, String> fresh = drain(store, fault);
                assertThat(fresh).as("%s: a message appended after the repair", fault)
                        .containsOnlyKeys(newSeq).containsValue("after-" + fault);
            } finally {
                store.close();
            }
            assertThat(errorLines(lines)).as("%s: log lines", fault).hasSizeLessThanOrEqualTo(MAX_LINES);
            logRoot.detachAppender(lines);
            lines.list.clear();
            logRoot.addAppender(lines);
            try (MessageStore again = MessageStore.open(dir, "q", FsyncPolicy.DEFAULT, time)) {
                Map<Long, String> second = drain(again, fault);
                Map<Long, String> expected = new HashMap<>(delivered);
                expected.put(newSeq, "after-" + fault);
                assertThat(second).as("%s: the same after a clean restart", fault).isEqualTo(expected);
            }
            assertThat(errorLines(lines)).as("%s: nothing more to say after a restart", fault).isEmpty();
            tally.opened++;
            tally.lost += mustDeliver.size() - mustDeliver.stream().filter(delivered::containsKey).count();
        } finally {
            logRoot.detachAppender(lines);
            tally.cases++;
            long ms = (System.nanoTime() - started) / 1_000_000;
            tally.slowest = Math.max(tally.slowest, ms);
            if (ms > 2000) {
                System.out.println("SLOW " + fault + " " + ms + " ms");
            }
        }
    }

    private static List<String> errorLines(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Reads everything; checks each message against what was written; settles nothing. */
    private static Map<Long, String> drain(MessageStore store, String fault) {
        Map<Long, String> got = new HashMap<>();
        StoredMessage m;
        while ((m = store.readNext(ALLOC)) != null) {
            try {
                String body = m.frame().payload().toString(StandardCharsets.UTF_8);
                assertThat(got).as("%s: message %d delivered once", fault, m.seq()).doesNotContainKey(m.seq());
                String expected = BODIES.getOrDefault(m.seq(), "after-" + fault);
                assertThat(body).as("%s: message %d is what was written", fault, m.seq()).isEqualTo(expected);
                assertThat(m.frame().properties().messageId()).isEqualTo(body);
                got.put(m.seq(), body);
            } finally {
                m.frame().payload().release();
            }
        }
        return got;
    }

    private static long appendNew(MessageStore store, String fault) {
        String body = "after-" + fault;
        ByteBuf payload = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return store.append("ex", "k", Properties.builder().messageId(body).build(), true, payload, T0);
        } finally {
            payload.release();
        }
    }

    // ------------------------------------------------------------------------------ files

    private interface Damage {
        void apply(RandomAccessFile f) throws IOException;
    }

    /** A copy of the pristine store with its last {@code log} file damaged. */
    private Path damage(String log, Damage d) throws IOException {
        Path dir = root.resolve("case-" + caseNo++);
        copyStore(pristine, dir);
        try (RandomAccessFile f = new RandomAccessFile(lastFile(dir.resolve(log)), "rw")) {
            d.apply(f);
        }
        return dir;
    }

    private static void flip(RandomAccessFile f, long offset, int mask) throws IOException {
        f.seek(offset);
        int b = f.read();
        f.seek(offset);
        f.write(b ^ mask);
    }

    private static File lastFile(Path logDir) {
        File[] files = logDir.toFile().listFiles((d, n) -> n.endsWith(SingleChronicleQueue.SUFFIX));
        assertThat(files).isNotEmpty();
        File last = files[0];
        for (File f : files) {
            if (f.getName().compareTo(last.getName()) > 0) {
                last = f;
            }
        }
        return last;
    }

    /** The pristine store's files: their length and their non-zero 64 KiB chunks, read once. */
    private static final Map<Path, SparseFile> PRISTINE_FILES = new HashMap<>();

    private record SparseFile(long length, Map<Long, byte[]> chunks) {
    }

    /** Copies a store, keeping Chronicle's 80 MiB files sparse: only their non-zero 64 KiB chunks are written. */
    private static void copyStore(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    SparseFile f = PRISTINE_FILES.containsKey(p) ? PRISTINE_FILES.get(p) : readSparse(p);
                    if (from.equals(pristine)) {
                        PRISTINE_FILES.put(p, f);
                    }
                    writeSparse(f, target);
                }
            }
        }
    }

    private static SparseFile readSparse(Path file) throws IOException {
        Map<Long, byte[]> chunks = new HashMap<>();
        long length;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            length = in.length();
            byte[] chunk = new byte[1 << 16];
            for (long at = 0; at < length; at += chunk.length) {
                in.seek(at);
                int n = in.read(chunk);
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != 0) {
                        chunks.put(at, Arrays.copyOf(chunk, n));
                        break;
                    }
                }
            }
        }
        return new SparseFile(length, chunks);
    }

    private static void writeSparse(SparseFile f, Path to) throws IOException {
        try (RandomAccessFile out = new RandomAccessFile(to.toFile(), "rw")) {
            for (Map.Entry<Long, byte[]> c : f.chunks().entrySet()) {
                out.seek(c.getKey());
                out.write(c.getValue());
            }
            out.setLength(f.length());
        }
    }

    // ------------------------------------------------------------------------------ offsets

    private static long messagesStart() {
        return MESSAGE_AT.values().stream().mapToLong(at -> at[0]).min().orElseThrow();
    }

    private static long messagesEnd() {
        return MESSAGE_AT.values().stream().mapToLong(at -> at[1]).max().orElseThrow();
    }

    private static long settleStart() {
        return SETTLE_AT.stream().mapToLong(at -> at[0]).min().orElseThrow();
    }

    private static long settleEnd() {
        return SETTLE_AT.stream().mapToLong(at -> at[1]).max().orElseThrow();
    }

    /** Offsets spread over {@code [from, to]}, always including both ends and the last record's. */
    private static List<Long> offsets(long from, long to) {
        int n = FaultSummary.rounds(10, 400);
        TreeSet<Long> out = new TreeSet<>();
        out.add(from);
        out.add(to - 1);
        out.add(to - 2);
        long step = Math.max(1, (to - from) / n);
        // An odd step so that the offsets fall on every kind of byte: headers, numbers, payloads.
        for (long at = from + 1; at < to; at += step | 1) {
            out.add(at);
        }
        return new ArrayList<>(out);
    }

    private static Set<Long> unsettledIntact() {
        Set<Long> out = new TreeSet<>(BODIES.keySet());
        out.removeAll(SETTLED);
        return out;
    }

    /**
     * Settled messages whose ACK record ends after {@code offset} (hit or after the damage); all of them if a
     * checkpoint does.
     */
    private static Set<Long> settledAfter(long offset) {
        Set<Long> out = new HashSet<>();
        boolean checkpointHit = false;
        for (long[] at : SETTLE_AT) {
            if (at[1] > offset && at[2] < 0) {
                checkpointHit = true;
            }
            if (at[1] > offset && at[2] >= 0) {
                out.add(at[2]);
            }
        }
        if (checkpointHit) {
            // Without the checkpoint the settle log is replayed from its start; what it settled is still there, but
            // nothing more is promised.
            out.addAll(SETTLED);
        }
        return out;
    }

    /** What one fault kind did, for its summary line. */
    private static final class Tally {
        int cases;
        int opened;
        int refused;
        long lost;
        long slowest;

        void report(String kind) {
            FaultSummary.report(kind, "%d offsets, %d opened, %d refused, lost %d intact messages, invented 0,"
                    + " slowest open %d ms", cases, opened, refused, lost, slowest);
            assertThat(opened + refused).isEqualTo(cases);
            assertThat(lost).isZero();
        }
    }
}
