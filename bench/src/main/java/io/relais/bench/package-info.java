/**
 * Benchmarks: the scenario runner behind {@code relais bench} (Relais and RabbitMQ side by side, same
 * semantics, same machine, same run) and, in {@code jmh}, the JMH microbenchmarks.
 */
package io.relais.bench;
