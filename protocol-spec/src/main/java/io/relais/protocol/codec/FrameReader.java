package io.relais.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.UnknownProperties;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads the fields of one frame body, in order, with the types the specification requires.
 *
 * <p>A frame body is a MessagePack array whose first element is the frame type id. The reader
 * counts the remaining elements: asking for a field the frame does not have is a
 * {@link ErrorCode#MALFORMED_FRAME}; fields after the ones this version knows are skipped by
 * {@link #skipRemaining()} (that is how later versions add fields). Payloads are returned as
 * retained slices of the frame buffer, never copied.
 *
 * <p>Owned by one decoder, used by one thread; reused for every frame of that decoder.
 */
public final class FrameReader {
    private static final MessagePack.UnpackerConfig CONFIG = new MessagePack.UnpackerConfig()
            .withActionOnMalformedString(CodingErrorAction.REPORT)
            .withActionOnUnmappableString(CodingErrorAction.REPORT)
            // str and bin are distinct types in the protocol; msgpack-core accepts either for both by default.
            .withAllowReadingStringAsBinary(false)
            .withAllowReadingBinaryAsString(false);

    private final ChunkedByteBufInput input = new ChunkedByteBufInput();
    private final MessageUnpacker unpacker = CONFIG.newUnpacker(input);
    private ByteBuf frame;
    private int frameStart;
    private int frameLength;
    /** Bytes of the body before the unpacker's current start (advanced when skipping a payload). */
    private int base;
    private int remaining;
    private ByteBuf payload;

    /** Starts reading a frame body; returns the number of array elements (including the type id). */
    int begin(ByteBuf body) throws IOException {
        this.frame = body;
        this.frameStart = body.readerIndex();
        this.frameLength = body.readableBytes();
        this.payload = null;
        this.base = 0;
        input.reset(body, frameStart, frameStart + body.readableBytes());
        unpacker.reset(input);
        MessageFormat f = unpacker.getNextFormat();
        if (f.getValueType() != ValueType.ARRAY) {
            throw malformed("frame body must be a MessagePack array, found " + f.getValueType());
        }
        int n = unpacker.unpackArrayHeader();
        if (n < 1) {
            throw malformed("frame array is empty");
        }
        remaining = n;
        return n;
    }

    /** Bytes of the body consumed so far. */
    long consumed() {
        return base + unpacker.getTotalReadBytes();
    }

    /** The payload slice retained by this frame, if any, so the decoder can release it on failure. */
    ByteBuf takePayload() {
        ByteBuf p = payload;
        payload = null;
        return p;
    }

    void end() {
        frame = null;
        payload = null;
    }

    private void next(String field) {
        if (remaining == 0) {
            throw malformed("missing field '" + field + "'");
        }
        remaining--;
    }

    /** Elements of the frame array not read yet. */
    public int remaining() {
        return remaining;
    }

    /** Reads a non-negative integer. */
    public long readUInt(String field) {
        next(field);
        try {
            long v = unpacker.unpackLong();
            if (v < 0) {
                throw malformed("field '" + field + "' must not be negative");
            }
            return v;
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads a non-negative integer that fits in 31 bits. */
    public int readUInt31(String field) {
        long v = readUInt(field);
        if (v > Integer.MAX_VALUE) {
            throw malformed("field '" + field + "' is too large");
        }
        return (int) v;
    }

    /** Reads a boolean. */
    public boolean readBool(String field) {
        next(field);
        try {
            return unpacker.unpackBoolean();
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads a UTF-8 string. */
    public String readStr(String field) {
        next(field);
        try {
            return unpacker.unpackString();
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads a binary value into a new array (for small values such as credentials). */
    public byte[] readBin(String field) {
        next(field);
        try {
            int len = binaryHeader(field);
            return unpacker.readPayload(len);
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads a binary value as a retained slice of the frame buffer (no copy). The caller owns it. */
    public ByteBuf readPayload(String field) {
        next(field);
        try {
            int len = binaryHeader(field);
            int offset = (int) consumed();
            payload = frame.retainedSlice(frameStart + offset, len);
            base = offset + len;
            input.reposition(frameStart + base);
            unpacker.reset(input);
            return payload;
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads an array of strings. */
    public List<String> readStrList(String field) {
        next(field);
        return unpackStrList(field);
    }

    private List<String> unpackStrList(String field) {
        try {
            int n = unpacker.unpackArrayHeader();
            List<String> list = new ArrayList<>(Math.min(n, 64));
            for (int i = 0; i < n; i++) {
                list.add(unpacker.unpackString());
            }
            return Collections.unmodifiableList(list);
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Reads an array header for a list of nested records; the caller reads the records with {@link #nested(String)}. */
    public int readArrayHeader(String field) {
        next(field);
        try {
            return unpacker.unpackArrayHeader();
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /**
     * Starts a nested record (a MessagePack array) inside the current field, and returns a view
     * that reads its elements. Extra elements beyond those read are skipped by
     * {@link Nested#close()}.
     */
    public Nested nested(String field) {
        try {
            return new Nested(unpacker.unpackArrayHeader(), field);
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /**
     * Reads a map of string keys to scalar values (nil, bool, int, float, str, bin). The map iterates
     * in wire order; a key that occurs twice is a {@link ErrorCode#MALFORMED_FRAME}.
     */
    public Map<String, Object> readMap(String field) {
        next(field);
        return unpackMap(field);
    }

    private Map<String, Object> unpackMap(String field) {
        try {
            int n = unpacker.unpackMapHeader();
            if (n == 0) {
                return Map.of();
            }
            // Insertion order is the wire order, so a map that is decoded and encoded again (headers
            // a broker forwards) keeps its order; a key that repeats is refused (PROTOCOL.md 1.3).
            Map<String, Object> map = new LinkedHashMap<>(Math.min(n, 64) * 2);
            for (int i = 0; i < n; i++) {
                String key = unpacker.unpackString();
                map.put(key, unpackScalar(field + "." + key));
                if (map.size() != i + 1) {
                    throw malformed("field '" + field + "' has the key '" + key + "' more than once");
                }
            }
            return Collections.unmodifiableMap(map);
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    private Object unpackScalar(String field) throws IOException {
        MessageFormat f = unpacker.getNextFormat();
        switch (f.getValueType()) {
            case NIL:
                unpacker.unpackNil();
                return null;
            case BOOLEAN:
                return unpacker.unpackBoolean();
            case INTEGER:
                return unpacker.unpackLong();
            case FLOAT:
                return unpacker.unpackDouble();
            case STRING:
                return unpacker.unpackString();
            case BINARY:
                return unpacker.readPayload(binaryHeader(field));
            default:
                throw malformed("field '" + field + "' must be nil, bool, int, float, str or bin, found "
                        + f.getValueType());
        }
    }

    /**
     * Reads message properties: an array of up to seven optional fields, see {@link Properties},
     * followed by any number of properties of later versions, which are kept as they were encoded
     * in {@link Properties#unknown()} (without trailing nil elements).
     */
    public Properties readProperties(String field) {
        next(field);
        try {
            int n = unpacker.unpackArrayHeader();
            if (n == 0) {
                return Properties.EMPTY;
            }
            String contentType = n > 0 ? strOrNil() : null;
            String messageId = n > 1 ? strOrNil() : null;
            String correlationId = n > 2 ? strOrNil() : null;
            String replyTo = n > 3 ? strOrNil() : null;
            Long timestamp = n > 4 ? intOrNil() : null;
            Long expiration = n > 5 ? intOrNil() : null;
            Map<String, Object> headers = null;
            if (n > 6) {
                if (unpacker.tryUnpackNil()) {
                    headers = null;
                } else {
                    headers = unpackMap(field + ".headers");
                }
            }
            if (expiration != null && expiration < 0) {
                throw malformed("property 'expiration' must not be negative");
            }
            UnknownProperties unknown = n > Properties.V1_FIELDS
                    ? readUnknownProperties(field, n - Properties.V1_FIELDS) : UnknownProperties.NONE;
            return new Properties(contentType, messageId, correlationId, replyTo, timestamp, expiration,
                    headers, unknown);
        } catch (IOException e) {
            throw wrap(field, e);
        }
    }

    /** Copies the next {@code count} values out of the frame as they are, leaving out trailing nils. */
    private UnknownProperties readUnknownProperties(String field, int count) throws IOException {
        int start = (int) consumed();
        int end = start;
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (!unpacker.tryUnpackNil()) {
                unpacker.skipValue();
                end = (int) consumed();
                kept = i + 1;
            }
        }
        if (kept == 0) {
            return UnknownProperties.NONE;
        }
        byte[] encoded = new byte[end - start];
        frame.getBytes(frameStart + start, encoded);
        try {
            return UnknownProperties.of(kept, encoded);
        } catch (IllegalArgumentException e) {
            throw malformed("field '" + field + "': " + e.getMessage());
        }
    }

    private String strOrNil() throws IOException {
        return unpacker.tryUnpackNil() ? null : unpacker.unpackString();
    }

    private Long intOrNil() throws IOException {
        return unpacker.tryUnpackNil() ? null : unpacker.unpackLong();
    }

    /** Reads a bin header (msgpack-core would also take a fixstr header) and checks its length. */
    private int binaryHeader(String field) throws IOException {
        ValueType t = unpacker.getNextFormat().getValueType();
        if (t != ValueType.BINARY) {
            throw malformed("field '" + field + "' must be bin, found " + t);
        }
        return checkLength(field, unpacker.unpackBinaryHeader());
    }

    /**
     * Checks a binary length read from a header against the bytes left in the body, before
     * anything of that size is allocated: a header may claim up to 4 GiB in a tiny frame.
     */
    private int checkLength(String field, int len) {
        long left = frameLength - consumed();
        if (len < 0 || len > left) {
            throw malformed("field '" + field + "' claims " + len + " bytes but only " + left + " remain in the frame");
        }
        return len;
    }

    /** Skips fields that a later protocol version added and this one does not know. */
    public void skipRemaining() {
        try {
            while (remaining > 0) {
                unpacker.skipValue();
                remaining--;
            }
        } catch (IOException e) {
            throw wrap("(extension)", e);
        }
    }

    private static ProtocolException malformed(String message) {
        return new ProtocolException(ErrorCode.MALFORMED_FRAME, message);
    }

    private static ProtocolException wrap(String field, Exception e) {
        return new ProtocolException(ErrorCode.MALFORMED_FRAME, "field '" + field + "': " + e.getMessage(), e);
    }

    /** Reader for the elements of one nested record. Not thread-safe. */
    public final class Nested implements AutoCloseable {
        private int left;
        private final String field;

        private Nested(int count, String field) {
            this.left = count;
            this.field = field;
        }

        private void take(String name) {
            if (left == 0) {
                throw malformed("missing field '" + field + "." + name + "'");
            }
            left--;
        }

        public String str(String name) {
            take(name);
            try {
                return unpacker.unpackString();
            } catch (IOException e) {
                throw wrap(field + "." + name, e);
            }
        }

        public long uint(String name) {
            take(name);
            try {
                long v = unpacker.unpackLong();
                if (v < 0) {
                    throw malformed("field '" + field + "." + name + "' must not be negative");
                }
                return v;
            } catch (IOException e) {
                throw wrap(field + "." + name, e);
            }
        }

        /** Reads an element that is an array of strings. */
        public List<String> strList(String name) {
            take(name);
            return unpackStrList(field + "." + name);
        }

        public boolean bool(String name) {
            take(name);
            try {
                return unpacker.unpackBoolean();
            } catch (IOException e) {
                throw wrap(field + "." + name, e);
            }
        }

        @Override
        public void close() {
            try {
                while (left > 0) {
                    unpacker.skipValue();
                    left--;
                }
            } catch (IOException e) {
                throw wrap(field, e);
            }
        }
    }
}
