package io.relais.broker.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Literal wire bytes, written the way a foreign client would write them: hex strings, a length
 * prefix, MessagePack strings. For the frames the codec cannot or will not produce (malformed
 * bodies, wrong field types, unknown type ids). Stateless.
 */
final class Bytes {
    private Bytes() {
    }

    /** The bytes of a hex string such as {@code "95 01 01"}; white space is ignored. */
    static byte[] hex(String hex) {
        String digits = hex.replaceAll("\\s", "");
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + hex);
        }
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    /** A whole frame: the 4-byte big-endian length prefix, then {@code body}. */
    static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** A whole frame whose body is the hex string {@code bodyHex}. */
    static byte[] frame(String bodyHex) {
        return frame(hex(bodyHex));
    }

    /** The parts one after the other. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code s} as a MessagePack str in its shortest form (fixstr, str 8, str 16 or str 32). */
    static byte[] str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        ByteBuffer b = ByteBuffer.allocate(5 + n);
        if (n < 32) {
            b.put((byte) (0xa0 | n));
        } else if (n < 0x100) {
            b.put((byte) 0xd9).put((byte) n);
        } else if (n < 0x10000) {
            b.put((byte) 0xda).putShort((short) n);
        } else {
            b.put((byte) 0xdb).putInt(n);
        }
        b.put(utf8);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** A name of {@code n} bytes of ASCII. */
    static String name(int n) {
        return "n".repeat(n);
    }
}
