/**
 * The broker's network side: the Netty pipeline ({@link io.relais.broker.net.ServerPipeline}), a
 * thin shared handler ({@link io.relais.broker.net.ConnectionHandler}) and one
 * {@link io.relais.broker.net.Session} per connection that runs the protocol state machine.
 *
 * <p>A session's state is owned by its channel's event loop; other threads (queues on other loops)
 * reach it only by submitting tasks to that loop.
 */
package io.relais.broker.net;
