/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as Relais uses it (PROTOCOL.md 3.6), shared by the client and the broker:
 * the key derivation and message primitives ({@link io.relais.protocol.sasl.Scram}), the credentials a server
 * stores ({@link io.relais.protocol.sasl.ScramCredential}) and the client's side of the exchange
 * ({@link io.relais.protocol.sasl.ScramClient}). No channel binding. Only JDK cryptography.
 *
 * <p>The primitives are stateless and thread-safe; an exchange is owned by one thread at a time.
 */
package io.relais.protocol.sasl;
