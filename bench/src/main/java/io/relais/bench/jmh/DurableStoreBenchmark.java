package io.relais.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.relais.broker.store.FsyncPolicy;
import io.relais.broker.store.MessageStore;
import io.relais.broker.store.StoredMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The durable path of one queue: {@link MessageStore} (Chronicle Queue files) with
 * {@code SampleMessage}s (100-byte payload), under the broker's default fsync policy
 * ({@link FsyncPolicy#DEFAULT}; the periodic {@code sync()} and {@code maintain()} the queue's
 * event loop runs are not part of either operation).
 *
 * <ul>
 *   <li>{@link #append}: one {@code append} (a message arriving at a durable queue).</li>
 *   <li>{@link #appendReadSettle}: {@code append}, {@code readNext}, {@code delivering},
 *       {@code settle} and release of the payload read back: the life of a message that is
 *       delivered and acknowledged at once, with a backlog of zero.</li>
 * </ul>
 *
 * <p>Each iteration opens a fresh store in a new temporary directory and deletes it afterwards, so
 * disk use stays bounded by one iteration's appends (about 170 bytes per message). Warm-up is
 * longer than the other benchmarks': the first few seconds run at a fraction of the steady rate.
 *
 * <p>Threading: Chronicle appenders and tailers belong to the thread that creates them, and a
 * {@code MessageStore} to its queue's event loop; so the state is per thread and the benchmark runs
 * on one thread only ({@code @Threads(1)}). The forked JVM gets the flags Chronicle needs on Java 17
 * (the root pom's {@code relais.chronicle.jvmFlags}).
 */
@State(Scope.Thread)
@Threads(1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        // Keep in step with relais.chronicle.jvmFlags in the root pom.xml.
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true",
        "-Dchronicle.disk.monitor.disable=true"})
public class DurableStoreBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final long arrivalMillis = System.currentTimeMillis();
    private ByteBuf payload;
    private Path dir;
    private MessageStore store;

    /** Opens an empty store in a new temporary directory. */
    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        payload = SampleMessage.payload(alloc);
        dir = Files.createTempDirectory("relais-jmh-store-");
        store = MessageStore.open(dir.resolve("q"), "jmh", FsyncPolicy.DEFAULT);
    }

    /** Closes the store and deletes its directory. */
    @TearDown(Level.Iteration)
    public void tearDown() {
        try {
            store.delete();
        } finally {
            payload.release();
            deleteRecursively(dir);
        }
    }

    /** Appends one message; returns its sequence number. */
    @Benchmark
    public long append() {
        return store.append(SampleMessage.EXCHANGE, SampleMessage.ROUTING_KEY, SampleMessage.PROPERTIES, true,
                payload, arrivalMillis);
    }

    /** Appends one message, reads it back, marks it delivered and settles it. */
    @Benchmark
    public void appendReadSettle(Blackhole bh) {
        store.append(SampleMessage.EXCHANGE, SampleMessage.ROUTING_KEY, SampleMessage.PROPERTIES, true, payload,
                arrivalMillis);
        StoredMessage m = store.readNext(alloc);
        ByteBuf read = m.frame().payload();
        int size = read.readableBytes();
        bh.consume(m);
        read.release();
        store.delivering(m.seq());
        store.settle(m.seq(), size);
    }

    /** The store of the current iteration, for checks. */
    MessageStore store() {
        return store;
    }

    /** The temporary directory of the current iteration, for checks. */
    Path directory() {
        return dir;
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
