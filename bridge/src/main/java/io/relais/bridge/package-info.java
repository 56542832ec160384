/**
 * The bridge: mirrors messages between Relais and RabbitMQ along configured {@link io.relais.bridge.LinkConfig
 * links}, at least once by default, without loops, riding through restarts of either side. See
 * {@code bridge/README.md}.
 */
package io.relais.bridge;
