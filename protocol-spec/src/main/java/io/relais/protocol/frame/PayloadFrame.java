package io.relais.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A frame that carries a message payload as a reference-counted {@link ByteBuf}, always as its last
 * field.
 *
 * <p>The frame's reference count is its payload's: the holder releases the frame (or hands it to
 * Netty, which releases it after writing). Not thread-safe to release from two threads.
 */
public interface PayloadFrame extends Frame, ReferenceCounted {
    /** The message body. */
    ByteBuf payload();

    @Override
    default int refCnt() {
        return payload().refCnt();
    }

    @Override
    default PayloadFrame retain() {
        payload().retain();
        return this;
    }

    @Override
    default PayloadFrame retain(int increment) {
        payload().retain(increment);
        return this;
    }

    @Override
    default PayloadFrame touch() {
        payload().touch();
        return this;
    }

    @Override
    default PayloadFrame touch(Object hint) {
        payload().touch(hint);
        return this;
    }

    @Override
    default boolean release() {
        return payload().release();
    }

    @Override
    default boolean release(int decrement) {
        return payload().release(decrement);
    }
}
