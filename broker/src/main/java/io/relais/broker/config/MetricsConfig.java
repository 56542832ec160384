package io.relais.broker.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the broker's metrics ({@code io.relais.broker.metrics}) include. Immutable; thread-safe.
 *
 * @param perQueue whether the per-queue series (ready, unacked, consumers, enqueued and delivered
 *     totals, labelled by vhost and queue) are exported ({@value BrokerConfig#KEY_METRICS_PER_QUEUE}); off
 *     for brokers with very many queues, the broker-wide totals stay
 * @param jvm whether the JVM and process series (memory, GC, threads, CPU, file descriptors) are exported
 *     ({@value BrokerConfig#KEY_METRICS_JVM})
 * @param storeScanInterval how often the size of the data directory's files is measured, on a store
 *     thread ({@value BrokerConfig#KEY_METRICS_STORE_SCAN_INTERVAL})
 */
public record MetricsConfig(boolean perQueue, boolean jvm, Duration storeScanInterval) {
    /** The defaults {@code config/relais.yaml} documents. */
    public static final MetricsConfig DEFAULTS = new MetricsConfig(true, true, Duration.ofSeconds(10));

    public MetricsConfig {
        Objects.requireNonNull(storeScanInterval, BrokerConfig.KEY_METRICS_STORE_SCAN_INTERVAL);
        if (storeScanInterval.toMillis() < 1) {
            throw new IllegalArgumentException(BrokerConfig.KEY_METRICS_STORE_SCAN_INTERVAL + " must be positive");
        }
    }
}
