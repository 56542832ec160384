/**
 * The Relais broker. {@link io.relais.broker.Broker} starts and stops it and wires its parts: the
 * network event loops, the store threads and the definitions thread. The packages below hold the
 * parts: {@code core} (the protocol-neutral model and its operations: routing, queues, access,
 * management), {@code store} (durable state and the threads that touch the disk), {@code net} (the
 * Relais protocol front end), {@code wire} (the message form front ends and the store share) and
 * {@code config} (settings).
 */
package io.relais.broker;
