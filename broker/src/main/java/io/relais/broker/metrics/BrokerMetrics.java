package io.relais.broker.metrics;

import io.netty.util.concurrent.EventExecutor;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.relais.broker.config.MetricsConfig;
import io.relais.broker.core.manage.ConnectionSource;
import io.relais.broker.core.routing.Topology;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The metrics of one broker, and their exposition in the Prometheus text format 0.0.4
 * ({@link #writeTo}, {@link #contentType()}), which the HTTP front end serves at {@code GET /metrics}.
 *
 * <p>Where the numbers come from:
 * <ul>
 *   <li>the per-message counts ({@link LoopCounter}: published, routed, delivered, acked, confirmed,
 *       bytes...) from every network event loop's {@link LoopCounters}, summed at scrape time;</li>
 *   <li>the store's sync latency from a classic histogram observed on the store threads
 *       ({@link #syncObserver()});</li>
 *   <li>everything else from the broker's state at scrape time, once {@link #bind bound}: connections by
 *       state, queues (totals, and per queue unless {@code metrics.per-queue} is off, see
 *       {@link QueueSeries}), dead letters, alarms, free disk, refused logins, the data directory's size
 *       ({@link StoreUsage}), and the links of a bridge running in the process
 *       ({@link #registerBridge});</li>
 *   <li>JVM and process metrics (memory, GC, threads, CPU, file descriptors) from the client library's
 *       {@link JvmMetrics}, unless {@code metrics.jvm} is off. They are the process's, not one broker's,
 *       so they live in one registry per process.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #counters} is called once per connection on its loop; {@link #writeTo} on
 * any thread (several scrapes may run at once); it does no disk I/O of its own (the process metrics
 * read {@code /proc/self}, which is memory).
 */
public final class BrokerMetrics {
    /** Upper bounds of the sync latency histogram's buckets, in seconds: 50 µs to 5 s. */
    static final double[] SYNC_BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    /** Connection states, in the order of the protocol's state machine (PROTOCOL.md 3). */
    private static final List<String> STATES = List.of("await_hello", "await_auth", "open", "closing", "closed");
    /** JVM and process metrics: one set per process, whatever the number of brokers in it. */
    private static final PrometheusRegistry JVM = jvmRegistry();

    private final MetricsConfig config;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Map<EventExecutor, LoopCounters> loops = new ConcurrentHashMap<>();
    private final Histogram syncSeconds;
    private final QueueSeries queueSeries;
    private volatile MetricsSources sources;

    /** The metrics of a broker configured with {@code config}; nothing is read from the broker before {@link #bind}. */
    public BrokerMetrics(MetricsConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.queueSeries = new QueueSeries(config.perQueue());
        for (LoopCounter c : LoopCounter.values()) {
            if (c.counter()) {
                CounterWithCallback.builder().name(c.metricName()).help(c.help())
                        .callback(cb -> cb.call(count(c))).register(registry);
            } else {
                GaugeWithCallback.builder().name(c.metricName()).help(c.help())
                        .callback(cb -> cb.call(count(c))).register(registry);
            }
        }
        syncSeconds = Histogram.builder().name("relais_store_sync_duration_seconds")
                .help("Time a durable queue's store took to force its writes to the disk (msync)")
                .classicOnly().classicUpperBounds(SYNC_BUCKETS).register(registry);
    }

    /**
     * The counters of network event loop {@code loop}, made on its first call; called on that loop (a
     * session's constructor), whose thread alone may then write them.
     */
    public LoopCounters counters(EventExecutor loop) {
        LoopCounters c = loops.get(loop);
        if (c != null) {
            return c;
        }
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("the counters of a loop are made on that loop");
        }
        return loops.computeIfAbsent(loop, l -> new LoopCounters(Thread.currentThread()));
    }

    /** The total of {@code counter} over every loop; any thread. */
    public long count(LoopCounter counter) {
        long sum = 0;
        for (LoopCounters c : loops.values()) {
            sum += c.get(counter);
        }
        return sum;
    }

    /** Messages dead-lettered so far in the virtual hosts that exist now; 0 before {@link #bind}. */
    public long deadLettered() {
        MetricsSources s = sources;
        if (s == null) {
            return 0;
        }
        long sum = 0;
        for (Topology t : s.vhosts().all()) {
            sum += t.deadLetteredTotal();
        }
        return sum;
    }

    /** Told the duration of every store sync, in nanoseconds, on the store threads. */
    public LongConsumer syncObserver() {
        return nanos -> syncSeconds.observe(nanos / 1e9);
    }

    /**
     * Binds the series read from the broker's state at scrape time to {@code brokerSources}; once, when the
     * broker has started.
     *
     * @throws IllegalStateException if bound already
     */
    public synchronized void bind(MetricsSources brokerSources) {
        if (sources != null) {
            throw new IllegalStateException("the metrics are bound already");
        }
        sources = Objects.requireNonNull(brokerSources, "brokerSources");
        MetricsSources s = brokerSources;
        GaugeWithCallback.builder().name("relais_connections").help("Client connections, by protocol state")
                .labelNames("state").callback(cb -> {
                    Map<String, long[]> counts = new TreeMap<>();
                    for (ConnectionSource c : s.connections().get()) {
                        counts.computeIfAbsent(c.snapshot().state().toLowerCase(Locale.ROOT), k -> new long[1])[0]++;
                    }
                    for (String state : STATES) {
                        long[] n = counts.remove(state);
                        cb.call(n == null ? 0 : n[0], state);
                    }
                    counts.forEach((state, n) -> cb.call(n[0], state));
                }).register(registry);
        CounterWithCallback.builder().name("relais_messages_dead_lettered")
                .help("Messages republished to a dead-letter exchange (rejected, expired or dropped by max-length), "
                        + "in the virtual hosts that exist now")
                .callback(cb -> cb.call(deadLettered())).register(registry);
        GaugeWithCallback.builder().name("relais_memory_alarm")
                .help("1 while the memory alarm is raised (publishers paused), else 0")
                .callback(cb -> cb.call(s.memoryAlarm().getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("relais_disk_alarm")
                .help("1 while the disk alarm is raised (publishes to durable queues refused), else 0")
                .callback(cb -> cb.call(s.diskAlarm().getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("relais_disk_free_bytes")
                .help("Free space on the data directory's disk, as last probed (every 100 ms)")
                .callback(cb -> cb.call(s.diskFreeBytes().getAsLong())).register(registry);
        GaugeWithCallback.builder().name("relais_store_files_bytes")
                .help("Total size of the files in the data directory (stores are sparse files: the disk space "
                        + "they use can be less), as last scanned (metrics.store-scan-interval)")
                .callback(cb -> {
                    long bytes = s.storeUsage().bytes();
                    if (bytes >= 0) {
                        cb.call(bytes);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("relais_auth_failures")
                .help("Logins refused (bad credentials, refused mechanism or address, no access to the vhost)")
                .callback(cb -> cb.call(s.authFailures().getAsLong())).register(registry);
    }

    /**
     * Exports the links of a bridge running in this process: forwarded, redelivered, dropped (loops) and
     * error totals and the messages in flight, labelled {@code link}.
     */
    public void registerBridge(BridgeLinks links) {
        Objects.requireNonNull(links, "links");
        bridgeCounter(links, "relais_bridge_forwarded", "Messages a bridge link forwarded", 0);
        bridgeCounter(links, "relais_bridge_redelivered", "Messages a bridge link's source delivered again", 2);
        bridgeCounter(links, "relais_bridge_loops_dropped",
                "Messages a bridge link dropped because they came from its destination side", 3);
        bridgeCounter(links, "relais_bridge_errors", "Errors of a bridge link", 4);
        GaugeWithCallback.builder().name("relais_bridge_in_flight")
                .help("Messages a bridge link received and has not settled at its source yet").labelNames("link")
                .callback(cb -> links.forEach((name, forwarded, inFlight, redelivered, loops, errors)
                        -> cb.call(inFlight, name))).register(registry);
    }

    private void bridgeCounter(BridgeLinks links, String name, String help, int field) {
        CounterWithCallback.builder().name(name).help(help).labelNames("link")
                .callback(cb -> links.forEach((link, forwarded, inFlight, redelivered, loops, errors) -> {
                    long[] values = {forwarded, inFlight, redelivered, loops, errors};
                    cb.call(values[field], link);
                })).register(registry);
    }

    /**
     * Writes every series in the Prometheus text format 0.0.4 ({@link #contentType()}) to {@code out},
     * which it flushes and does not close; any thread.
     */
    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
        if (config.jvm()) {
            writer.write(out, JVM.scrape());
        }
        MetricsSources s = sources;
        if (s != null) {
            TextSink sink = new TextSink(out);
            List<Topology> topologies = new ArrayList<>(s.vhosts().all());
            queueSeries.write(sink, topologies);
            sink.flush();
        } else {
            out.flush();
        }
    }

    /** The media type of what {@link #writeTo} writes: {@code text/plain; version=0.0.4; charset=utf-8}. */
    public String contentType() {
        return writer.getContentType();
    }

    private static PrometheusRegistry jvmRegistry() {
        PrometheusRegistry r = new PrometheusRegistry();
        JvmMetrics.builder().register(r);
        return r;
    }
}
