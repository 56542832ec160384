package io.relais.broker.store;

import io.relais.protocol.frame.Publish;

/**
 * One message read back from a {@link MessageStore}: its place in the queue and the message as it
 * was published. The caller owns {@code frame.payload()}.
 *
 * @param seq the message's sequence number in its queue, from 0, dense
 * @param arrivalMillis when the broker first received it, milliseconds since the epoch
 * @param frame exchange, routing key, flags, properties and payload (its {@code seq} field is 0)
 * @param possiblyDelivered true if it was read for delivery before the last restart (it may have
 *     reached a consumer that did not acknowledge it): deliver it with the redelivered flag
 */
public record StoredMessage(long seq, long arrivalMillis, Publish frame, boolean possiblyDelivered) {
}
