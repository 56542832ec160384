package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferInput;

/**
 * Feeds msgpack-core a region of a {@link ByteBuf} in small heap chunks.
 *
 * <p>msgpack-core reads direct {@code ByteBuffer}s through JDK internals that Java 17 only opens
 * with extra JVM flags; copying the header fields of a frame, a chunk at a time, into one reused
 * heap array avoids that for broker and embedding applications alike. Payloads are not read
 * through this input: {@link FrameReader} slices them from the buffer and repositions the input
 * after them, so at most one chunk of a payload is ever copied.
 *
 * <p>Not thread-safe; owned by one {@link FrameReader}. Like msgpack's own stream input it reuses
 * its array for every chunk.
 */
final class ChunkedByteBufInput implements MessageBufferInput {
    static final int CHUNK = 256;

    private final byte[] scratch = new byte[CHUNK];
    private final MessageBuffer whole = MessageBuffer.wrap(scratch);
    private ByteBuf buf;
    private int position;
    private int end;

    /** Reads {@code buf} from absolute index {@code from} up to {@code end} (exclusive). */
    void reset(ByteBuf buf, int from, int end) {
        this.buf = buf;
        this.position = from;
        this.end = end;
    }

    /** Continues reading at absolute index {@code from}. */
    void reposition(int from) {
        this.position = from;
    }

    @Override
    public MessageBuffer next() {
        if (position >= end) {
            return null;
        }
        int n = Math.min(CHUNK, end - position);
        buf.getBytes(position, scratch, 0, n);
        position += n;
        return n == CHUNK ? whole : MessageBuffer.wrap(scratch, 0, n);
    }

    @Override
    public void close() {
        buf = null;
    }
}
