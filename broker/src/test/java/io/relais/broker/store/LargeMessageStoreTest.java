package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large payloads through a store: a payload gathered from several socket reads (a slice of a composite
 * buffer, as {@code FrameDecoder} makes it) is written and checksummed component by component and reads
 * back intact, also when two store threads write it at once; reading a message copies its frame once out
 * of the mapped file and checks the copy, and a damaged record is still skipped.
 */
@ExtendWith(LeakCheck.class)
class LargeMessageStoreTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;

    /** {@code bytes} in a composite of direct components of the given lengths, as a slice (the decoder's shape). */
    private static ByteBuf gathered(byte[] bytes, int... parts) {
        CompositeByteBuf c = ALLOC.compositeDirectBuffer(parts.length + 1);
        ByteBuf head = ALLOC.directBuffer(7).writeZero(7); // bytes before the payload, as a frame's header
        c.addComponent(true, head);
        int at = 0;
        for (int n : parts) {
            c.addComponent(true, ALLOC.directBuffer(n).writeBytes(bytes, at, n));
            at += n;
        }
        assertThat(at).isEqualTo(bytes.length);
        ByteBuf slice = c.retainedSlice(7, bytes.length);
        c.release();
        return slice;
    }

    private static byte[] random(int seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Counts direct buffers handed out and their bytes. */
    private static final class CountingAllocator extends PooledByteBufAllocator {
        final AtomicInteger buffers = new AtomicInteger();
        long bytes;

        CountingAllocator() {
            super(true);
        }

        @Override
        public ByteBuf directBuffer(int initialCapacity) {
            buffers.incrementAndGet();
            bytes += initialCapacity;
            return super.directBuffer(initialCapacity);
        }
    }

    @Test
    void shouldCopyALargeMessageOnceOutOfTheStoreAndCheckTheCopy() {
        byte[] body = random(1);
        try (MessageStore s = MessageStore.open(dir.resolve("q"), "q", FsyncPolicy.DEFAULT)) {
            ByteBuf payload = gathered(body, 10_000, 30_000, SIZE - 40_000);
            long stagedBefore = s.checksumStagedBytes();
            try {
                s.append("", "q", Properties.EMPTY, true, payload, 1L);
            } finally {
                payload.release();
            }
            assertThat(s.checksumStagedBytes()).as("writing never reads the mapped file back").isEqualTo(stagedBefore);
            CountingAllocator alloc = new CountingAllocator();
            StoredMessage m = s.readNext(alloc);
            try {
                assertThat(ByteBufUtil.getBytes(m.frame().payload())).isEqualTo(body);
                assertThat(alloc.buffers.get()).as("one buffer per message read").isEqualTo(1);
                assertThat(alloc.bytes).as("the frame, once").isBetween((long) SIZE, (long) SIZE + 64);
                assertThat(s.checksumStagedBytes() - stagedBefore)
                        .as("only the record's 32-byte head is checked in the mapped file; the frame in its copy")
                        .isEqualTo(32);
            } finally {
                m.frame().payload().release();
            }
        }
    }

    @Test
    void shouldVerifyBothRecordsWhenTwoStoreThreadsWriteOneGatheredPayload() throws Exception {
        MessageStore a = MessageStore.open(dir.resolve("a"), "a", FsyncPolicy.DEFAULT);
        MessageStore b = MessageStore.open(dir.resolve("b"), "b", FsyncPolicy.DEFAULT);
        int n = 200;
        byte[][] bodies = new byte[n][];
        ByteBuf[] payloads = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            bodies[i] = random(i);
            payloads[i] = gathered(bodies[i], 1 + i * 97 % 20_000, 20_000, SIZE - 20_000 - 1 - i * 97 % 20_000);
        }
        CountDownLatch go = new CountDownLatch(1);
        try {
            CompletableFuture<?>[] writers = Stream.of(a, b).map(s -> CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < n; i++) {
                    s.append("", "q", Properties.EMPTY, true, payloads[i], 1L);
                }
            })).toArray(CompletableFuture[]::new);
            go.countDown();
            CompletableFuture.allOf(writers).get(60, TimeUnit.SECONDS);
            for (MessageStore s : new MessageStore[] {a, b}) {
                for (int i = 0; i < n; i++) {
                    StoredMessage m = s.readNext(ALLOC);
                    assertThat(m).as("message %d: not skipped as damaged", i).isNotNull();
                    try {
                        assertThat(ByteBufUtil.getBytes(m.frame().payload())).as("message %d", i).isEqualTo(bodies[i]);
                    } finally {
                        m.frame().payload().release();
                    }
                }
                assertThat(s.readNext(ALLOC)).isNull();
            }
        } finally {
            Arrays.stream(payloads).forEach(ByteBuf::release);
            a.close();
            b.close();
        }
    }

    @Test
    void shouldSkipADamagedLargeRecordWhenItsCopyDoesNotMatch() throws Exception {
        Path q = dir.resolve("q");
        try (MessageStore s = MessageStore.open(q, "q", FsyncPolicy.DEFAULT)) {
            for (int i = 0; i < 3; i++) {
                ByteBuf p = gathered(random(i), SIZE / 2, SIZE / 2);
                try {
                    s.append("", "q", Properties.EMPTY, true, p, 1L);
                } finally {
                    p.release();
                }
            }
        }
        // One payload byte of the second record will be flipped in the file: found by its content.
        byte[] second = random(1);
        Path file;
        try (Stream<Path> files = Files.list(q.resolve("messages"))) {
            file = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] content = Files.readAllBytes(file);
        int at = indexOf(content, Arrays.copyOfRange(second, 1000, 1064));
        assertThat(at).isPositive();
        try (MessageStore s = MessageStore.open(q, "q", FsyncPolicy.DEFAULT);
             RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            // After the store opened (and checked its last file): the damage is found by the reader, on its copy.
            raw.seek(at + 10);
            raw.write(content[at + 10] ^ 0x01);
            int read = 0;
            StoredMessage m;
            while ((m = s.readNext(ALLOC)) != null) {
                try {
                    assertThat(ByteBufUtil.getBytes(m.frame().payload())).isEqualTo(random(read == 0 ? 0 : 2));
                } finally {
                    m.frame().payload().release();
                }
                read++;
            }
            assertThat(read).as("the damaged one skipped, the others delivered").isEqualTo(2);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
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
}
