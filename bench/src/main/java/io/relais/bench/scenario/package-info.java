/**
 * The scenario runner behind {@code relais bench}: each {@link io.relais.bench.scenario.Scenario} runs with
 * the same semantics against Relais (through client-java, broker in its own process) and RabbitMQ (through
 * amqp-client), one after the other, and {@link io.relais.bench.scenario.Report} prints the table and writes
 * {@code results.json} and {@code chart.png}.
 */
package io.relais.bench.scenario;
