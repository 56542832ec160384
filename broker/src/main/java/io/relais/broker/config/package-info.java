/**
 * Broker configuration: {@link io.relais.broker.config.BrokerConfig} holds every key with its
 * default in one place; {@link io.relais.broker.config.ConfigLoader} reads {@code relais.yaml} and
 * refuses unknown keys and bad values with a message that names the key.
 *
 * <p>Configuration objects are immutable and shared freely between threads.
 */
package io.relais.broker.config;
