/**
 * The Relais wire protocol, version 1: the constants both sides agree on.
 *
 * <p>{@link io.relais.protocol.FrameType} is the table of every frame, {@link io.relais.protocol.ErrorCode}
 * the error catalogue, {@link io.relais.protocol.Properties} the message properties carried by
 * publishes, deliveries and returns. The frames themselves live in {@code io.relais.protocol.frame},
 * the Netty codec in {@code io.relais.protocol.codec}. The prose specification is
 * {@code protocol-spec/PROTOCOL.md}; the machine-readable frame list is {@code protocol-spec/frames.yaml}.
 *
 * <p>Everything in this package is immutable and safe to share between threads.
 */
package io.relais.protocol;
