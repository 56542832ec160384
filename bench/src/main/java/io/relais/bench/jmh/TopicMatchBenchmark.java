package io.relais.bench.jmh;

import io.relais.broker.core.routing.BindingTable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing one message through a topic exchange with {@value #BINDINGS} bindings:
 * {@link BindingTable#match(String, Consumer)} on the table {@code BindingTable.forType("topic")}
 * returns (a {@code TopicTrie}).
 *
 * <p>The bindings, each to a queue named by a {@code String}:
 * <ul>
 *   <li>6,000 exact: {@code region.<r>.orders.<n>}, 20 regions × 300 order streams;</li>
 *   <li>2,000 with {@code *}: {@code region.*.orders.<n>}, n below 2,000;</li>
 *   <li>1,900 with {@code #}: {@code logs.<svc>.#}, one per service;</li>
 *   <li>50 queues on {@code logs.*.error.#} and 50 on {@code #.audit}.</li>
 * </ul>
 * The {@link #key} parameter picks the routing key; {@link #expectedTargets} is checked in
 * {@link #setUp}, so a change in matching semantics fails the run instead of measuring something
 * else:
 * <ul>
 *   <li>{@code hitOne}: {@value #HIT_ONE}, 1 queue ({@code logs.svc-42.#});</li>
 *   <li>{@code hitMany}: {@value #HIT_MANY}, 101 queues (its service, the error and the audit queues);</li>
 *   <li>{@code miss}: {@value #MISS}, no queue.</li>
 * </ul>
 *
 * <p>Threading: a JMH {@code Scope.Thread} state. The table is immutable and could be shared; each
 * thread has its own counting sink.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TopicMatchBenchmark {
    /** Number of bindings in the table. */
    public static final int BINDINGS = 10_000;
    /** A routing key bound by one queue. */
    public static final String HIT_ONE = "logs.svc-42.info.startup";
    /** A routing key bound by 101 queues. */
    public static final String HIT_MANY = "logs.svc-7.error.disk.audit";
    /** A routing key no binding matches. */
    public static final String MISS = "region.mars.shipments.9";

    /** Which routing key to match: {@code hitOne}, {@code hitMany} or {@code miss}. */
    @Param({"hitOne", "hitMany", "miss"})
    public String key;

    private BindingTable<String> table;
    private String routingKey;
    private final CountingSink sink = new CountingSink();

    /** Builds the table and checks that the chosen key matches as many queues as intended. */
    @Setup
    public void setUp() {
        table = bindings();
        if (table.size() != BINDINGS) {
            throw new IllegalStateException("expected " + BINDINGS + " bindings, built " + table.size());
        }
        routingKey = switch (key) {
            case "hitOne" -> HIT_ONE;
            case "hitMany" -> HIT_MANY;
            case "miss" -> MISS;
            default -> throw new IllegalArgumentException("unknown key case '" + key + "'");
        };
        match();
        int matched = sink.count;
        if (matched != expectedTargets(key)) {
            throw new IllegalStateException(routingKey + " matched " + matched + " queues, expected "
                    + expectedTargets(key));
        }
    }

    /** Routes the key; returns a value derived from the queues it reached, for JMH to consume. */
    @Benchmark
    public int match() {
        sink.count = 0;
        table.match(routingKey, sink);
        return sink.count + sink.hash;
    }

    /** How many queues the routing key of a {@link #key} case matches. */
    static int expectedTargets(String keyCase) {
        return switch (keyCase) {
            case "hitOne" -> 1;
            case "hitMany" -> 101;
            default -> 0;
        };
    }

    /** Number of queues the last {@link #match()} reached. */
    int lastCount() {
        return sink.count;
    }

    private static BindingTable<String> bindings() {
        BindingTable<String> t = BindingTable.forType("topic");
        int q = 0;
        for (int r = 0; r < 20; r++) {
            for (int n = 0; n < 300; n++) {
                t = t.with("region.r" + r + ".orders." + n, "q-" + q++);
            }
        }
        for (int n = 0; n < 2_000; n++) {
            t = t.with("region.*.orders." + n, "q-" + q++);
        }
        for (int svc = 0; svc < 1_900; svc++) {
            t = t.with("logs.svc-" + svc + ".#", "q-" + q++);
        }
        for (int i = 0; i < 50; i++) {
            t = t.with("logs.*.error.#", "q-" + q++);
            t = t.with("#.audit", "q-" + q++);
        }
        return t;
    }

    /**
     * Counts the targets it is handed and folds their hashes, so that the JIT cannot drop the work
     * of matching; the benchmark returns both for JMH to consume.
     */
    private static final class CountingSink implements Consumer<String> {
        int count;
        int hash;

        @Override
        public void accept(String target) {
            count++;
            hash ^= target.hashCode();
        }
    }
}
