/**
 * The scenario runner behind {@code relais bench}: each {@link io.relais.bench.scenario.Scenario} runs with
 * the same semantics against Relais (through client-java, broker in its own process), RabbitMQ (driven by
 * RabbitMQ PerfTest in a JVM of its own, {@link io.relais.bench.scenario.PerfTestDriver}) and NATS (jnats,
 * core NATS or JetStream, {@link io.relais.bench.scenario.NatsSystem}), one after the other. The Relais and
 * NATS producers and consumers run in client processes ({@link io.relais.bench.scenario.ClientMain}) or in
 * the runner; every measurement records its backlog and is judged steady or not
 * ({@link io.relais.bench.scenario.Steadiness}); {@link io.relais.bench.scenario.Report} prints the table
 * and writes {@code results.json} and {@code chart.png}.
 */
package io.relais.bench.scenario;
