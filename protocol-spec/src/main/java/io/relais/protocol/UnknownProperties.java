package io.relais.protocol;

import java.io.IOException;
import java.util.Arrays;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * The message properties that a later protocol version appended after the seven of version 1,
 * kept exactly as they were encoded, so that a message forwarded by this implementation carries
 * them on unchanged (PROTOCOL.md section 1.4).
 *
 * <p>On the wire they are the elements of the properties array after the seventh. This version
 * cannot know their meaning or type, so it keeps their MessagePack bytes as received and writes them
 * back verbatim after the seven it knows. Trailing nil elements are not kept: nil means absent, and
 * an encoder omits trailing absent properties.
 *
 * <p>Immutable (the bytes are copied in and out); thread-safe.
 */
public final class UnknownProperties {
    /** No unknown properties: what every version 1 message has. */
    public static final UnknownProperties NONE = new UnknownProperties(0, new byte[0]);

    private final int count;
    private final byte[] encoded;

    private UnknownProperties(int count, byte[] encoded) {
        this.count = count;
        this.encoded = encoded;
    }

    /**
     * The unknown properties held by {@code encoded}: exactly {@code count} MessagePack values, one
     * after the other, the first of them being the eighth element of the properties array.
     *
     * @param count how many values {@code encoded} holds; 0 gives {@link #NONE}
     * @param encoded the values as MessagePack; copied
     * @return the unknown properties
     * @throws IllegalArgumentException if {@code encoded} is not exactly {@code count} well-formed
     *     MessagePack values, or if the last of them is nil (absent trailing properties are omitted)
     */
    public static UnknownProperties of(int count, byte[] encoded) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (count == 0) {
            if (encoded.length != 0) {
                throw new IllegalArgumentException("no value, but " + encoded.length + " bytes");
            }
            return NONE;
        }
        byte[] copy = encoded.clone();
        check(count, copy);
        return new UnknownProperties(count, copy);
    }

    private static void check(int count, byte[] encoded) {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(encoded)) {
            boolean lastIsNil = false;
            for (int i = 0; i < count; i++) {
                if (!unpacker.hasNext()) {
                    throw new IllegalArgumentException("the bytes hold " + i + " values, not " + count);
                }
                lastIsNil = unpacker.tryUnpackNil();
                if (!lastIsNil) {
                    unpacker.skipValue();
                }
            }
            if (unpacker.hasNext()) {
                throw new IllegalArgumentException("bytes follow the last of the " + count + " values");
            }
            if (lastIsNil) {
                throw new IllegalArgumentException("the last value is nil; trailing absent properties are omitted");
            }
        } catch (IOException | MessagePackException e) {
            throw new IllegalArgumentException("not " + count + " well-formed MessagePack values: " + e.getMessage(), e);
        }
    }

    /** How many values there are (elements of the properties array after the seventh). */
    public int count() {
        return count;
    }

    /** True when there are none. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** The values as MessagePack, one after the other, as they were received; a copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The number of bytes {@link #encoded()} returns. */
    public int encodedLength() {
        return encoded.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownProperties u && u.count == count && Arrays.equals(u.encoded, encoded);
    }

    @Override
    public int hashCode() {
        return 31 * count + Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        if (count == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder().append(count).append(count == 1 ? " value:" : " values:");
        int shown = Math.min(encoded.length, 32);
        for (int i = 0; i < shown; i++) {
            sb.append(' ').append(Character.forDigit((encoded[i] >> 4) & 0xf, 16))
                    .append(Character.forDigit(encoded[i] & 0xf, 16));
        }
        return encoded.length > shown ? sb.append(" ... (").append(encoded.length).append(" bytes)").toString()
                : sb.toString();
    }
}
