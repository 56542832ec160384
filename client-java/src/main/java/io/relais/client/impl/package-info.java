/**
 * The implementation of the Relais client; not API, may change without notice.
 *
 * <p>Roles: {@link io.relais.client.impl.ClientConnection} is the facade any thread calls; it hops onto the
 * channel's event loop, where {@link io.relais.client.impl.ClientHandler} runs the protocol state machine
 * and owns the connection's tables ({@link io.relais.client.impl.PendingRequests} by request id,
 * {@link io.relais.client.impl.UnconfirmedPublishes} by seq, subscriptions by sid) without locks.
 * {@link io.relais.client.impl.ClientPipeline} builds the Netty pipeline in one place.
 * {@link io.relais.client.impl.DeliveryDispatcher} hands deliveries to the handler executor and pauses
 * reading when it falls behind. {@link io.relais.client.impl.Requester} and
 * {@link io.relais.client.impl.Responder} build request/reply on the public client API only, with request
 * deadlines on the {@link io.relais.client.impl.SharedTimer}.
 */
package io.relais.client.impl;
