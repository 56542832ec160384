/**
 * The Netty codec both sides share: {@link io.relais.protocol.codec.FrameDecoder} turns bytes into
 * {@link io.relais.protocol.frame.Frame}s (or one {@link io.relais.protocol.codec.DecodeFailure}),
 * {@link io.relais.protocol.codec.FrameEncoder} turns frames into bytes.
 *
 * <p>Framing: a 4-byte big-endian length, then a body of that many bytes holding one MessagePack
 * array {@code [type_id, fields...]}. Payloads travel as slices of the receive buffer and are
 * appended to the send path without copying when they are large.
 */
package io.relais.protocol.codec;
