package io.relais.broker.metrics;

import io.relais.broker.core.manage.ConnectionSource;
import io.relais.broker.core.vhost.VirtualHosts;
import java.util.Collection;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a scrape reads besides the loops' counters: the broker's state, given to
 * {@link BrokerMetrics#bind} once it has started. Every supplier is called on the scraping thread and
 * must be lock-free and quick (no disk I/O).
 *
 * @param vhosts the virtual hosts, whose queues give the per-queue series and the totals
 * @param connections the live connections, counted by state
 * @param memoryAlarm true while the memory alarm is raised
 * @param diskAlarm true while the disk alarm is raised
 * @param diskFreeBytes the free space of the data directory's disk, as last probed
 * @param authFailures logins refused so far
 * @param storeUsage the size of the data directory's files, as last scanned
 */
public record MetricsSources(VirtualHosts vhosts, Supplier<? extends Collection<? extends ConnectionSource>> connections,
                             BooleanSupplier memoryAlarm, BooleanSupplier diskAlarm, LongSupplier diskFreeBytes,
                             LongSupplier authFailures, StoreUsage storeUsage) {
    public MetricsSources {
        Objects.requireNonNull(vhosts, "vhosts");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(memoryAlarm, "memoryAlarm");
        Objects.requireNonNull(diskAlarm, "diskAlarm");
        Objects.requireNonNull(diskFreeBytes, "diskFreeBytes");
        Objects.requireNonNull(authFailures, "authFailures");
        Objects.requireNonNull(storeUsage, "storeUsage");
    }
}
