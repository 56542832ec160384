/**
 * Where the protocol-neutral core meets the Relais wire types: {@link io.relais.broker.wire.WireMessage},
 * the core's message over a Netty buffer and the protocol's properties, which front ends create and
 * the store writes and reads back.
 */
package io.relais.broker.wire;
