/**
 * The Relais Java client: the API that producers and consumers program against.
 *
 * <p>{@link io.relais.client.RelaisClient} is the entry point: {@code RelaisClient.builder().connect()}
 * opens a connection, whose methods return {@link java.util.concurrent.CompletableFuture}s. Messages are
 * described by {@link io.relais.client.Message}, received as {@link io.relais.client.Delivery} by a
 * {@link io.relais.client.MessageHandler}. Failures are {@link io.relais.client.RelaisException}s carrying
 * the protocol's error code.
 *
 * <p>Value types here ({@code Message}, {@code QueueDeclaration}, {@code SubscribeOptions},
 * {@code DeclaredQueue}) are immutable; the client, subscriptions and deliveries are thread-safe. The
 * implementation lives in {@code io.relais.client.impl} and is not API.
 */
package io.relais.client;
