/**
 * The Relais Java client: the API that producers and consumers program against.
 *
 * <p>{@link io.relais.client.RelaisClient} is the entry point: {@code RelaisClient.builder().connect()}
 * opens a connection, whose methods return {@link java.util.concurrent.CompletableFuture}s. Messages are
 * described by {@link io.relais.client.Message}, received as {@link io.relais.client.Delivery} by a
 * {@link io.relais.client.MessageHandler}. Request/reply rides on the same primitives:
 * {@link io.relais.client.RelaisClient#request} and {@link io.relais.client.RelaisClient#reply} with a
 * {@link io.relais.client.RequestHandler} answering with a {@link io.relais.client.Reply}. Failures are
 * {@link io.relais.client.RelaisException}s carrying the protocol's error code. {@link io.relais.client.TlsOptions}
 * connects over TLS, with a client certificate for EXTERNAL authentication.
 *
 * <p>Value types here ({@code Message}, {@code QueueDeclaration}, {@code SubscribeOptions}, {@code TlsOptions},
 * {@code DeclaredQueue}, {@code Reply}) are immutable; the client, subscriptions and deliveries are
 * thread-safe. The implementation lives in {@code io.relais.client.impl} and is not API.
 */
package io.relais.client;
