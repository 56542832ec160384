/**
 * The implementation of the Relais client; not API, may change without notice.
 *
 * <p><b>Roles.</b> Each class has one, named in its javadoc:
 * <ul>
 *   <li><em>Facade</em>: {@link io.relais.client.impl.ClientFacade}, the one {@link io.relais.client.RelaisClient}
 *       implementation, which any application thread calls. Reconnection is one of its options, not another
 *       class. It checks arguments and routes each call; it holds no protocol state.</li>
 *   <li><em>Supervisor</em>: {@link io.relais.client.impl.ConnectionSupervisor} owns the life of the client's
 *       connection: watches it, replaces a lost one when the option is on, recovers the new one, closes for good.
 *       It uses the <em>scheduler</em> {@link io.relais.client.impl.ReconnectScheduler} (when to try, from the
 *       {@link io.relais.client.ReconnectPolicy}), the <em>memory</em>
 *       {@link io.relais.client.impl.DeclaredTopology} (what to declare and subscribe again, with the
 *       {@link io.relais.client.impl.RecoverableSubscription}s the application holds), and the <em>buffer</em>
 *       {@link io.relais.client.impl.DisconnectedPublishBuffer} (publishes made while disconnected).</li>
 *   <li><em>Connection</em>: {@link io.relais.client.impl.Connection} is one TCP connection, and the proxy onto
 *       its event loop: callers on any thread go through its {@link io.relais.client.impl.EventLoopMailbox},
 *       after its <em>gate</em> {@link io.relais.client.impl.PublishGate} applied backpressure.</li>
 *   <li><em>Handler</em>: {@link io.relais.client.impl.ClientHandler}, the last handler of the pipeline that
 *       {@link io.relais.client.impl.ClientPipeline} builds in one place (with TLS from
 *       {@link io.relais.client.impl.ClientTls} first when the client connects over TLS), runs the protocol state machine on the
 *       event loop (handshake, heartbeats, close). Its <em>session</em>
 *       {@link io.relais.client.impl.OpenSession} owns the <em>tables</em> of the open connection without locks:
 *       {@link io.relais.client.impl.PendingRequests} by request id (answers are matched through
 *       {@link io.relais.protocol.frame.Answer}, never by frame type), {@link io.relais.client.impl.UnconfirmedPublishes}
 *       by seq, {@link io.relais.client.impl.ActiveSubscription}s by sid. {@link io.relais.client.impl.BrokerCall}
 *       describes each request once, for whichever connection sends it.</li>
 *   <li><em>Dispatcher</em>: {@link io.relais.client.impl.DeliveryDispatcher} hands
 *       {@link io.relais.client.impl.IncomingDelivery}s to the handler executor and pauses reading when it falls
 *       behind; {@link io.relais.client.impl.ClientCallbacks} is that executor with the application's listeners
 *       ({@link io.relais.client.impl.ListenerList}).</li>
 *   <li><em>Requester</em> and <em>Responder</em>: {@link io.relais.client.impl.Requester} and
 *       {@link io.relais.client.impl.Responder} build request/reply on the public client API only, with request
 *       deadlines on the {@link io.relais.client.impl.SharedTimer}.</li>
 * </ul>
 * {@link io.relais.client.impl.SharedEventLoops} holds the I/O threads shared by the JVM's clients,
 * {@link io.relais.client.impl.ClientConfig} the options, {@link io.relais.client.impl.Durations} the duration
 * format of messages.
 *
 * <p><b>Threads.</b> Application threads call the facade; protocol state lives on one event loop thread per
 * connection; handlers and listeners run on the handler executor; reconnect attempts run on an event loop of
 * the client's group.
 */
package io.relais.client.impl;
