/**
 * The broker's metrics, in the Prometheus text format (0.0.4) that {@code GET /metrics} serves:
 * {@link io.relais.broker.metrics.BrokerMetrics} holds them and writes a scrape.
 *
 * <p>The per-message path pays no lock and no allocation: each network event loop counts into its own
 * {@link io.relais.broker.metrics.LoopCounters} (plain slots only that loop writes), which a scrape sums;
 * rarer events use a {@code LongAdder} or the client library's histogram; everything else (connections by
 * state, queue depths, alarms, disk) is read at scrape time from the broker's lock-free getters. The
 * per-queue series are written straight to the output, without the client library's snapshot objects, so
 * that a broker with tens of thousands of queues still answers in milliseconds.
 */
package io.relais.broker.metrics;
