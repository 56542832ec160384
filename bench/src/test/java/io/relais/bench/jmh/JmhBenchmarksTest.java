package io.relais.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.frame.Publish;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Runs the body of every JMH benchmark once, outside JMH, so that a benchmark broken by a change to
 * the code it measures fails the normal build: for each {@code @Benchmark} method and each
 * {@code @Param} value, a new state, its {@code @Setup} methods, the method (with a test
 * {@link Blackhole} if it takes one), its {@code @TearDown} methods. Also checks that the JMH
 * annotation processor listed them all, and that the Chronicle flags of the store benchmark's fork
 * are the build's.
 */
class JmhBenchmarksTest {
    private static final List<Class<?>> BENCHMARKS =
            List.of(CodecBenchmark.class, TopicMatchBenchmark.class, DurableStoreBenchmark.class);

    @Test
    void shouldRunEveryBenchmarkMethodOnceForEveryParameterValue() throws Exception {
        List<String> ran = new ArrayList<>();
        for (Class<?> type : BENCHMARKS) {
            for (Method m : annotated(type, Benchmark.class)) {
                for (String param : paramValues(type)) {
                    runOnce(type, m, param);
                    ran.add(type.getSimpleName() + "." + m.getName() + (param == null ? "" : "[" + param + "]"));
                }
            }
        }
        assertThat(ran).containsExactlyInAnyOrder(
                "CodecBenchmark.encode", "CodecBenchmark.decode",
                "TopicMatchBenchmark.match[hitOne]", "TopicMatchBenchmark.match[hitMany]",
                "TopicMatchBenchmark.match[miss]",
                "DurableStoreBenchmark.append", "DurableStoreBenchmark.appendReadSettle");
    }

    @Test
    void shouldListEveryBenchmarkWhenTheAnnotationProcessorRan() throws IOException {
        List<String> listed;
        try (InputStream in = getClass().getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertThat(in).as(BenchmarkList.BENCHMARK_LIST + " (written by jmh-generator-annprocess)").isNotNull();
            listed = BenchmarkList.readBenchmarkList(in).stream().map(BenchmarkListEntry::getUsername).toList();
        }
        List<String> declared = new ArrayList<>();
        for (Class<?> type : BENCHMARKS) {
            for (Method m : annotated(type, Benchmark.class)) {
                declared.add(type.getName() + "." + m.getName());
            }
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void shouldForkTheStoreBenchmarkWithTheChronicleFlagsOfTheBuild() {
        String flags = System.getProperty("relais.child.jvmFlags");
        assertThat(flags).as("relais.child.jvmFlags, set by surefire from relais.chronicle.jvmFlags").isNotBlank();
        String[] forked = DurableStoreBenchmark.class.getAnnotation(Fork.class).jvmArgsAppend();
        assertThat(forked).containsExactly(flags.trim().split("\\s+"));
    }

    @Test
    void shouldDecodeWhatItEncodesWhenRunningTheCodecBenchmark() {
        CodecBenchmark codec = new CodecBenchmark();
        codec.setUp();
        ByteBuf encoded = codec.encoded();
        try {
            Publish decoded = (Publish) new FrameDecoder(true, Integer.MAX_VALUE).decodeStored(encoded);
            try {
                assertThat(decoded.routingKey()).isEqualTo(SampleMessage.ROUTING_KEY);
                assertThat(decoded.properties()).isEqualTo(SampleMessage.PROPERTIES);
                assertThat(decoded.payload().readableBytes()).isEqualTo(SampleMessage.PAYLOAD_BYTES);
            } finally {
                decoded.release();
            }
        } finally {
            codec.tearDown();
        }
        assertThat(encoded.refCnt()).isZero();
    }

    @Test
    void shouldSettleEverythingItAppendsWhenCyclingThroughTheStore() throws IOException {
        DurableStoreBenchmark bench = new DurableStoreBenchmark();
        bench.setUp();
        Path dir = bench.directory();
        try {
            bench.appendReadSettle(blackhole());
            bench.appendReadSettle(blackhole());
            assertThat(bench.store().count()).isZero();
            assertThat(bench.append()).isEqualTo(2);
            assertThat(bench.store().count()).isEqualTo(1);
        } finally {
            bench.tearDown();
        }
        assertThat(Files.exists(dir)).as("temporary directory deleted").isFalse();
    }

    private static void runOnce(Class<?> type, Method benchmark, String param) throws Exception {
        Object state = type.getDeclaredConstructor().newInstance();
        if (param != null) {
            paramField(type).set(state, param);
        }
        for (Method setup : annotated(type, Setup.class)) {
            invoke(state, setup);
        }
        try {
            invoke(state, benchmark);
        } finally {
            for (Method tearDown : annotated(type, TearDown.class)) {
                invoke(state, tearDown);
            }
        }
    }

    private static void invoke(Object state, Method m) throws Exception {
        Object[] args = Arrays.stream(m.getParameterTypes())
                .map(p -> {
                    if (p != Blackhole.class) {
                        throw new AssertionError(m + " takes a " + p.getName() + "; only Blackhole is supported here");
                    }
                    return blackhole();
                })
                .toArray();
        try {
            m.invoke(state, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static List<Method> annotated(Class<?> type, Class<? extends Annotation> a) {
        return Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(a)).toList();
    }

    /** The values of the class's one {@code @Param} field, or a single null if it has none. */
    private static List<String> paramValues(Class<?> type) {
        Field f = paramField(type);
        return f == null ? Arrays.asList((String) null) : List.of(f.getAnnotation(Param.class).value());
    }

    private static Field paramField(Class<?> type) {
        List<Field> fields = Arrays.stream(type.getFields())
                .filter(f -> f.isAnnotationPresent(Param.class)).toList();
        assertThat(fields).as("@Param fields of " + type.getSimpleName() + " (this driver handles at most one)")
                .hasSizeLessThanOrEqualTo(1);
        return fields.isEmpty() ? null : fields.get(0);
    }

    private static Blackhole blackhole() {
        return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }
}
