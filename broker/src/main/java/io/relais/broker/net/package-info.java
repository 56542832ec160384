/**
 * The broker's network side: the Relais protocol front end over Netty.
 *
 * <ul>
 *   <li>{@link io.relais.broker.net.ServerPipeline}: every connection's pipeline, built and edited
 *       in this one place; {@link io.relais.broker.net.ConnectionLimiter} counts connections against
 *       the limits in all, per address (at accept), per user and per vhost (at AUTH).</li>
 *   <li>TLS: {@link io.relais.broker.net.TlsContexts} (the server context from the PEM files,
 *       reloadable), {@link io.relais.broker.net.TlsSniffer} (the first handler on the TLS port:
 *       a TLS handshake or a clean close) and {@link io.relais.broker.net.TlsPeer} (what TLS
 *       says about a connection's client: its trusted certificate chain).</li>
 *   <li>{@link io.relais.broker.net.ConnectionHandler}: the thin shared handler that passes every
 *       channel event to the connection's session.</li>
 *   <li>{@link io.relais.broker.net.Session}: one per connection; owns its state and runs the
 *       connection state machine, heartbeats and closing, and hands each legal frame to one of the
 *       parts below.</li>
 *   <li>{@link io.relais.broker.net.Handshake}: HELLO/WELCOME/AUTH/READY, version, capability and
 *       heartbeat negotiation; {@link io.relais.broker.net.Login}: the connection's login (throttle
 *       delay, PLAIN, SCRAM-SHA-256 with AUTH_CHALLENGE/AUTH_RESPONSE, ANONYMOUS, audit), with the
 *       shared {@link io.relais.broker.net.Authenticator} (user database, mechanisms offered) and
 *       {@link io.relais.broker.net.ExternalAuthenticator} (EXTERNAL: the user a client certificate
 *       names).</li>
 *   <li>{@link io.relais.broker.net.AdminRequests}: declare, delete, bind, unbind, list, purge;
 *       {@link io.relais.broker.net.UserRequests}: USER_PUT, USER_DELETE, USER_LIST.</li>
 *   <li>{@link io.relais.broker.net.PublishPath} and {@link io.relais.broker.net.ConfirmTracker}:
 *       PUBLISH, routing into queues, RETURN, and exactly one CONFIRM per sequence number, in
 *       order.</li>
 *   <li>{@link io.relais.broker.net.Subscriptions} and {@link io.relais.broker.net.UnackedLedger}:
 *       SUBSCRIBE, CANCEL, DELIVER, delivery tags and ACK/NACK/REJECT.</li>
 *   <li>{@link io.relais.broker.net.FlowControl}: when to stop reading from a publisher, or from a
 *       connection whose large frame waits for memory.</li>
 *   <li>{@link io.relais.broker.net.ConnectionDeadlines}: what one connection may hold and for how
 *       long (frame timeout, frame memory, write timeout, consumer timeout), checked by one periodic
 *       sweep per connection; {@link io.relais.broker.net.FrameMeter} shows it every read.</li>
 *   <li>{@link io.relais.broker.net.ClientProxy}: writes and flushes frames, and turns failures into
 *       ERROR answers.</li>
 *   <li>{@link io.relais.broker.net.BrokerContext}, {@link io.relais.broker.net.MemoryMonitor},
 *       {@link io.relais.broker.net.DiskMonitor}: what sessions share, and the alarms.</li>
 *   <li>{@link io.relais.broker.net.NettyLoops}: the event loops as the core's owner loops;
 *       {@link io.relais.broker.net.Reasons}: the core's refusal reasons as protocol error codes.</li>
 * </ul>
 *
 * <p>The parts call the core ({@code io.relais.broker.core}) for every operation; changes of the
 * topology complete on its thread and come back to the session's loop, which holds the frames that
 * follow a request until it is answered.
 *
 * <p>A session and its parts are owned by the channel's event loop and need no locks; other threads
 * (queues on other loops, the monitors, shutdown) reach them only by submitting tasks to that loop.
 */
package io.relais.broker.net;
