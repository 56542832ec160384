/**
 * JMH microbenchmarks of the broker's hot paths, one class per component: the frame codec
 * ({@link io.relais.bench.jmh.CodecBenchmark}), topic routing over 10,000 bindings
 * ({@link io.relais.bench.jmh.TopicMatchBenchmark}) and the durable message store
 * ({@link io.relais.bench.jmh.DurableStoreBenchmark}).
 *
 * <p>Each class is its own JMH {@code @State}: {@code @Setup} builds the fixture, the
 * {@code @Benchmark} methods are the measured operations, {@code @TearDown} releases buffers and
 * deletes files. They run from the shaded {@code bench/target/benchmarks.jar}
 * ({@code org.openjdk.jmh.Main}); {@code JmhBenchmarksTest} runs every method once per build so
 * that they cannot rot. These measure components in isolation; they are not comparisons with other
 * brokers (that is the scenario runner's job).
 */
package io.relais.bench.jmh;
