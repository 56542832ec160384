/**
 * The Relais broker. {@link io.relais.broker.Broker} starts and stops it; the packages below hold
 * its parts: {@code config} (settings), {@code net} (connections and the protocol state machine),
 * {@code routing} (exchanges, bindings, the topology), {@code queue} (queues and consumers).
 */
package io.relais.broker;
