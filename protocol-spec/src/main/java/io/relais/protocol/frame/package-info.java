/**
 * One record per frame type of the Relais protocol, each able to encode and decode its own fields.
 *
 * <p>Field order in each record is the wire order. Frames that carry a payload implement
 * {@link io.relais.protocol.frame.PayloadFrame} and must be released by whoever holds them last.
 */
package io.relais.protocol.frame;
