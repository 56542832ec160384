package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.FrameType;
import io.relais.protocol.Properties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferOutput;

/**
 * Writes the fields of one frame body as MessagePack into a {@link ByteBuf}.
 *
 * <p>Wraps a msgpack-core {@link MessagePacker} whose output is redirected into the target buffer.
 * Payloads are not written here: the encoder writes only their binary header and appends the
 * payload buffer itself, so a payload is never copied through the packer.
 *
 * <p>Not thread-safe: the encoder keeps one instance per thread.
 */
public final class FrameWriter {
    private final ByteBufOutput output = new ByteBufOutput();
    private final MessagePacker packer = MessagePack.newDefaultPacker(output);

    void begin(ByteBuf target) {
        output.target = target;
    }

    void end() {
        try {
            packer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            output.target = null;
        }
    }

    /** Writes the frame array header ({@code fields} + 1 elements) and the type id. */
    public FrameWriter begin(FrameType type, int fields) {
        try {
            packer.packArrayHeader(fields + 1);
            packer.packInt(type.id());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes an unsigned integer field (uint63, or uint31 from an {@code int}) in its shortest form.
     *
     * @throws IllegalArgumentException if {@code v} is negative: the peer would refuse the frame
     */
    public FrameWriter uint(long v) {
        requireUnsigned(v);
        try {
            packer.packLong(v);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a bool field. */
    public FrameWriter bool(boolean v) {
        try {
            packer.packBoolean(v);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a str field (UTF-8). */
    public FrameWriter str(String v) {
        try {
            packer.packString(v);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a bin field: header and bytes. */
    public FrameWriter bin(byte[] v) {
        try {
            packer.packBinaryHeader(v.length);
            packer.writePayload(v);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes only the header of a binary value of {@code length} bytes; the encoder appends the bytes. */
    public FrameWriter payloadHeader(int length) {
        try {
            packer.packBinaryHeader(length);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an array of str. */
    public FrameWriter strList(List<String> v) {
        try {
            packer.packArrayHeader(v.size());
            for (String s : v) {
                packer.packString(s);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an array header for a list of nested records. */
    public FrameWriter arrayHeader(int size) {
        try {
            packer.packArrayHeader(size);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a map of string keys to scalar values; see {@link FrameReader#readMap(String)}. */
    public FrameWriter map(Map<String, Object> map) {
        try {
            if (map == null) {
                packer.packMapHeader(0);
                return this;
            }
            packer.packMapHeader(map.size());
            for (Map.Entry<String, Object> e : map.entrySet()) {
                packer.packString(e.getKey());
                scalar(e.getKey(), e.getValue());
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void scalar(String key, Object v) throws IOException {
        if (v == null) {
            packer.packNil();
        } else if (v instanceof Boolean b) {
            packer.packBoolean(b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            packer.packLong(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            packer.packDouble(((Number) v).doubleValue());
        } else if (v instanceof String s) {
            packer.packString(s);
        } else if (v instanceof byte[] b) {
            packer.packBinaryHeader(b.length);
            packer.writePayload(b);
        } else {
            throw new IllegalArgumentException("value of '" + key + "' must be null, boolean, integer, "
                    + "floating point, String or byte[], not " + v.getClass().getName());
        }
    }

    /**
     * Writes message properties, omitting trailing absent fields; properties of later versions
     * ({@link Properties#unknown()}) follow the seventh, exactly as they were received.
     */
    public FrameWriter properties(Properties p) {
        try {
            int n = p.presentFields();
            packer.packArrayHeader(n);
            if (n > 0) {
                strOrNil(p.contentType());
            }
            if (n > 1) {
                strOrNil(p.messageId());
            }
            if (n > 2) {
                strOrNil(p.correlationId());
            }
            if (n > 3) {
                strOrNil(p.replyTo());
            }
            if (n > 4) {
                intOrNil(p.timestamp());
            }
            if (n > 5) {
                if (p.expiration() != null) {
                    requireUnsigned(p.expiration());
                }
                intOrNil(p.expiration());
            }
            if (n > 6) {
                if (p.headers() == null) {
                    packer.packNil();
                } else {
                    map(p.headers());
                }
            }
            if (n > Properties.V1_FIELDS) {
                packer.writePayload(p.unknown().encoded());
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void strOrNil(String s) throws IOException {
        if (s == null) {
            packer.packNil();
        } else {
            packer.packString(s);
        }
    }

    private void intOrNil(Long v) throws IOException {
        if (v == null) {
            packer.packNil();
        } else {
            packer.packLong(v);
        }
    }

    private static void requireUnsigned(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("an unsigned field cannot hold " + v);
        }
    }

    /** Redirects the packer's buffer into the current target {@link ByteBuf}. */
    private static final class ByteBufOutput implements MessageBufferOutput {
        private final MessageBuffer scratch = MessageBuffer.allocate(8192);
        private MessageBuffer current = scratch;
        private ByteBuf target;

        @Override
        public MessageBuffer next(int minimumSize) {
            current = minimumSize <= scratch.size() ? scratch : MessageBuffer.allocate(minimumSize);
            return current;
        }

        @Override
        public void writeBuffer(int length) {
            // The packer hands back the buffer that next() returned; both kinds are array-backed.
            target.writeBytes(current.array(), current.arrayOffset(), length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            target.writeBytes(buffer, offset, length);
        }

        @Override
        public void add(byte[] buffer, int offset, int length) {
            target.writeBytes(buffer, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
