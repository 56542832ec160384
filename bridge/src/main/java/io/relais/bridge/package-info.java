/**
 * The bridge: mirrors messages between Relais and RabbitMQ along configured {@link io.relais.bridge.LinkConfig
 * links}, at least once by default, without loops, riding through restarts of either side. Both sides may be
 * TLS: the Relais side with the client's options, RabbitMQ with an {@code amqps://} URI
 * ({@link io.relais.bridge.RabbitTls}). See
 * {@code bridge/README.md}.
 */
package io.relais.bridge;
