/**
 * The broker's core: the model (exchanges, queues, bindings, consumers) and its operations,
 * knowing no wire protocol and no network library.
 *
 * <p>This package holds what every part of the core shares: {@link io.relais.broker.core.CoreException}
 * with its {@link io.relais.broker.core.Reason} (front ends map reasons to their own error codes),
 * {@link io.relais.broker.core.Names} (limits, reserved prefixes, the default vhost) and
 * {@link io.relais.broker.core.OwnerLoop}, the single thread that owns a piece of mutable state,
 * and {@link io.relais.broker.core.RateLimitedLog}, one log line (and a count) for events that
 * repeat, used wherever the broker logs per message, record or request.
 * Subpackages: {@code routing} (exchanges, binding tables, the topology), {@code queue} (queues,
 * backlogs, consumers, messages), {@code access} (the access-check seam) and {@code manage} (the
 * read-only management view).
 *
 * <p>Nothing under {@code io.relais.broker.core} may import {@code io.netty} or
 * {@code io.relais.protocol}; {@code CoreIsProtocolNeutralTest} fails the build if something does.
 */
package io.relais.broker.core;
