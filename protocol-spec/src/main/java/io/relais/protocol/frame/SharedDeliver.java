package io.relais.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.codec.FrameWriter;
import java.util.Objects;

/**
 * DELIVER (server to client) in a form for fan-out: the same bytes on the wire as {@link Deliver},
 * but the part that every subscriber of a message shares (exchange, routing key, properties, the
 * payload's binary header and, for payloads up to {@link FrameEncoder#COPY_THRESHOLD} bytes, the
 * payload itself) comes already encoded as {@code tail}, made once per message with
 * {@link FrameEncoder#encodeDeliverTail}. {@link FrameEncoder} writes only the per-delivery head
 * (length prefix, sid, tag, flags) in front of it; a larger payload follows as a slice, as for
 * {@link Deliver}.
 *
 * <p>Holds one reference to {@code tail} and one to {@code payload}; whoever holds the frame
 * releases it once (Netty does, after encoding), which releases both. The tail is read with absolute
 * indexes only, so one tail buffer may back several frames on one thread, each with its own
 * reference. Not thread-safe to release from two threads.
 *
 * @param sid subscription id
 * @param deliveryTag connection-wide delivery number
 * @param flags bit 0 redelivered; bit 1 persistent
 * @param tail the encoded shared part, as {@link FrameEncoder#encodeDeliverTail} made it for {@code payload}
 * @param payload the message body
 */
public record SharedDeliver(long sid, long deliveryTag, int flags, ByteBuf tail, ByteBuf payload)
        implements Frame, ReferenceCounted {

    public SharedDeliver {
        tail = Objects.requireNonNull(tail, "tail");
        payload = Objects.requireNonNull(payload, "payload");
    }

    @Override
    public FrameType type() {
        return FrameType.DELIVER;
    }

    /** Writes the head only (array header, type id, sid, tag, flags); the encoder appends the tail. */
    @Override
    public void encode(FrameWriter w) {
        Deliver.encodeHead(w, sid, deliveryTag, flags);
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public SharedDeliver retain() {
        tail.retain();
        payload.retain();
        return this;
    }

    @Override
    public SharedDeliver retain(int increment) {
        tail.retain(increment);
        payload.retain(increment);
        return this;
    }

    @Override
    public SharedDeliver touch() {
        payload.touch();
        return this;
    }

    @Override
    public SharedDeliver touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        tail.release();
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        tail.release(decrement);
        return payload.release(decrement);
    }

    @Override
    public String toString() {
        return "SharedDeliver[sid=" + sid + ", deliveryTag=" + deliveryTag + ", flags=" + flags + ", tail="
                + tail.readableBytes() + " bytes, payload=" + payload.readableBytes() + " bytes]";
    }
}
