package io.relais.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.Codec;
import io.relais.protocol.FrameType;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.UnknownProperties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthChallenge;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Reject;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import io.relais.protocol.frame.UserDelete;
import io.relais.protocol.frame.UserInfo;
import io.relais.protocol.frame.UserList;
import io.relais.protocol.frame.UserListOk;
import io.relais.protocol.frame.UserPut;
import io.relais.protocol.frame.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Property test: random frames of every type survive encode (FrameEncoder) then decode (FrameDecoder). */
@ExtendWith(LeakCheck.class)
class RoundTripTest {
    private static final int ITERATIONS_PER_TYPE = 300;

    @Test
    void shouldDecodeToEqualFrameWhenRandomFrameOfEveryTypeIsEncoded() {
        Random random = new Random(20_240_601L);
        for (FrameType type : FrameType.values()) {
            for (int i = 0; i < ITERATIONS_PER_TYPE; i++) {
                Frame frame = randomFrame(type, random);
                try {
                    roundTrip(frame);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(type + " iteration " + i + ": " + frame, e);
                } finally {
                    ReferenceCountUtil.release(frame);
                }
            }
        }
    }

    @Test
    void shouldDecodeEveryFrameWhenManyRandomFramesShareOneStream() {
        Random random = new Random(7);
        List<Frame> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            FrameType[] clientTypes = Arrays.stream(FrameType.values()).filter(FrameType::sentByClient)
                    .toArray(FrameType[]::new);
            Frame f = randomFrame(clientTypes[random.nextInt(clientTypes.length)], random);
            sent.add(f);
            stream.writeBytes(Codec.encode(ReferenceCountUtil.retain(f)));
        }
        byte[] all = stream.toByteArray();
        List<Object> out = Codec.decode(true, split(all, random));
        try {
            assertThat(out).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                Codec.assertSameFrame(out.get(i), sent.get(i));
            }
        } finally {
            Codec.releaseAll(out);
            Codec.releaseAll(sent);
        }
    }

    @Test
    void shouldNoticeDifferenceWhenOnlyHeaderBytesDiffer() {
        Frame a = new Bind(1, "q", "x", "#", Map.of("b", new byte[] {1, 2}));
        Frame same = new Bind(1, "q", "x", "#", Map.of("b", new byte[] {1, 2}));
        Frame other = new Bind(1, "q", "x", "#", Map.of("b", new byte[] {1, 3}));
        Codec.assertSameFrame(same, a);
        assertThatThrownBy(() -> Codec.assertSameFrame(other, a))
                .isInstanceOf(AssertionError.class);
    }

    private static byte[][] split(byte[] all, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        int pos = 0;
        while (pos < all.length) {
            int n = Math.min(all.length - pos, 1 + random.nextInt(3000));
            chunks.add(Arrays.copyOfRange(all, pos, pos + n));
            pos += n;
        }
        return chunks.toArray(byte[][]::new);
    }

    private static void roundTrip(Frame frame) {
        byte[] bytes = Codec.encode(ReferenceCountUtil.retain(frame));
        assertThat(bytes.length - 4).isEqualTo(
                ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
        List<Boolean> sides = new ArrayList<>();
        if (frame.type().sentByClient()) {
            sides.add(true);
        }
        if (frame.type().sentByServer()) {
            sides.add(false);
        }
        for (boolean side : sides) {
            List<Object> out = Codec.decode(side, bytes);
            try {
                assertThat(out).hasSize(1);
                Codec.assertSameFrame(out.get(0), frame);
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    // ---- generators ----

    static Frame randomFrame(FrameType type, Random r) {
        return switch (type) {
            case HELLO -> new Hello(u(r), u(r), str(r), strs(r));
            case WELCOME -> new Welcome(u(r), str(r), str(r), strs(r), strs(r), u(r), u(r));
            case AUTH -> new Auth(str(r), bytes(r, r.nextInt(300)), u(r));
            case READY -> new Ready(str(r), u(r));
            case HEARTBEAT -> Heartbeat.INSTANCE;
            case CLOSE -> new Close(u31(r), str(r));
            case CLOSE_OK -> new CloseOk();
            case ERROR -> new ErrorFrame(u(r), u31(r), str(r));
            case OK -> new Ok(u(r), u(r));
            case EXCHANGE_DECLARE -> new ExchangeDeclare(u(r), str(r), str(r), r.nextBoolean(), r.nextBoolean(),
                    r.nextBoolean(), map(r));
            case EXCHANGE_DELETE -> new ExchangeDelete(u(r), str(r), r.nextBoolean());
            case QUEUE_DECLARE -> new QueueDeclare(u(r), str(r), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(),
                    r.nextBoolean(), map(r));
            case QUEUE_DECLARE_OK -> new QueueDeclareOk(u(r), str(r), u(r), u(r));
            case QUEUE_DELETE -> new QueueDelete(u(r), str(r), r.nextBoolean(), r.nextBoolean());
            case QUEUE_PURGE -> new QueuePurge(u(r), str(r));
            case BIND -> new Bind(u(r), str(r), str(r), str(r), map(r));
            case UNBIND -> new Unbind(u(r), str(r), str(r), str(r));
            case EXCHANGE_LIST -> new ExchangeList(u(r));
            case EXCHANGE_LIST_OK -> {
                List<ExchangeInfo> list = new ArrayList<>();
                for (int i = r.nextInt(20); i > 0; i--) {
                    list.add(new ExchangeInfo(str(r), str(r), r.nextBoolean(), r.nextBoolean(), u(r)));
                }
                yield new ExchangeListOk(u(r), list);
            }
            case QUEUE_LIST -> new QueueList(u(r));
            case QUEUE_LIST_OK -> {
                List<QueueInfo> list = new ArrayList<>();
                for (int i = r.nextInt(20); i > 0; i--) {
                    list.add(new QueueInfo(str(r), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), u(r), u(r), u(r)));
                }
                yield new QueueListOk(u(r), list);
            }
            case PUBLISH -> new Publish(u(r), str(r), str(r), u31(r), props(r), payload(r));
            case CONFIRM -> new Confirm(u(r), r.nextBoolean(), r.nextBoolean(), u31(r));
            case RETURN -> new Return(u(r), u31(r), str(r), str(r), str(r), props(r), payload(r));
            case SUBSCRIBE -> new Subscribe(u(r), u(r), str(r), str(r), str(r), u(r), r.nextBoolean(), r.nextBoolean());
            case SUBSCRIBE_OK -> new SubscribeOk(u(r), u(r), str(r));
            case CANCEL -> new Cancel(u(r), u(r));
            case CANCELLED -> new Cancelled(u(r), u31(r), str(r));
            case DELIVER -> new Deliver(u(r), u(r), u31(r), str(r), str(r), props(r), payload(r));
            case ACK -> new Ack(u(r), r.nextBoolean());
            case NACK -> new Nack(u(r), r.nextBoolean(), r.nextBoolean());
            case REJECT -> new Reject(u(r), r.nextBoolean());
            case FLOW -> new Flow(r.nextBoolean(), str(r), str(r));
            case AUTH_CHALLENGE -> new AuthChallenge(bytes(r, r.nextInt(300)), r.nextBoolean());
            case AUTH_RESPONSE -> new AuthResponse(bytes(r, r.nextInt(300)));
            case USER_PUT -> new UserPut(u(r), str(r), u31(r), bytes(r, r.nextInt(40)), u(r), bytes(r, 32),
                    bytes(r, 32), strs(r));
            case USER_DELETE -> new UserDelete(u(r), str(r));
            case USER_LIST -> new UserList(u(r));
            case USER_LIST_OK -> {
                List<UserInfo> list = new ArrayList<>();
                for (int i = r.nextInt(20); i > 0; i--) {
                    list.add(new UserInfo(str(r), strs(r), r.nextBoolean()));
                }
                yield new UserListOk(u(r), list);
            }
        };
    }

    /** Unsigned values around every MessagePack integer width boundary. */
    static long u(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> r.nextInt(128);
            case 1 -> 127 + r.nextInt(3);
            case 2 -> r.nextInt(256);
            case 3 -> r.nextInt(65_537);
            case 4 -> r.nextLong() & 0xffff_ffffL;
            case 5 -> new long[] {0, 255, 256, 65_535, 65_536, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE}[r.nextInt(8)];
            default -> r.nextLong() & Long.MAX_VALUE;
        };
    }

    static int u31(Random r) {
        return (int) Math.min(u(r), Integer.MAX_VALUE) & Integer.MAX_VALUE;
    }

    /** Signed values (timestamps, header ints). */
    static long s(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> -r.nextInt(40);
            case 1 -> -r.nextInt(70_000);
            case 2 -> r.nextLong();
            default -> u(r);
        };
    }

    private static final int[][] RANGES = {
        {0x20, 0x7e}, {0xa0, 0x24f}, {0x370, 0x3ff}, {0x4e00, 0x9fff}, {0xe000, 0xfffd}, {0x1f300, 0x1f6ff}, {0, 0x1f},
    };

    /** Strings of random code points (no lone surrogates), lengths around the fixstr/str8/str16 limits. */
    static String str(Random r) {
        int len = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 30 + r.nextInt(4);
            case 2 -> 250 + r.nextInt(10);
            case 3 -> r.nextInt(600);
            default -> r.nextInt(20);
        };
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int[] range = RANGES[r.nextInt(RANGES.length)];
            sb.appendCodePoint(range[0] + r.nextInt(range[1] - range[0] + 1));
        }
        return sb.toString();
    }

    static List<String> strs(Random r) {
        List<String> l = new ArrayList<>();
        for (int i = r.nextInt(r.nextInt(10) == 0 ? 40 : 6); i > 0; i--) {
            l.add(str(r));
        }
        return l;
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A header/argument map with values of every scalar type. */
    static Map<String, Object> map(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(r.nextInt(8) == 0 ? 40 : 6); i > 0; i--) {
            Object v = switch (r.nextInt(7)) {
                case 0 -> null;
                case 1 -> r.nextBoolean();
                case 2 -> s(r);
                case 3 -> r.nextBoolean() ? r.nextGaussian() * 1e6 : Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
                case 4 -> str(r);
                case 5 -> bytes(r, r.nextInt(r.nextBoolean() ? 10 : 300));
                default -> (long) r.nextInt(128);
            };
            m.put(str(r), v);
        }
        return m;
    }

    static Properties props(Random r) {
        if (r.nextInt(4) == 0) {
            return Properties.EMPTY;
        }
        return new Properties(
                r.nextBoolean() ? str(r) : null,
                r.nextBoolean() ? str(r) : null,
                r.nextBoolean() ? str(r) : null,
                r.nextBoolean() ? str(r) : null,
                r.nextBoolean() ? s(r) : null,
                r.nextBoolean() ? u(r) : null,
                r.nextBoolean() ? map(r) : null,
                r.nextInt(3) == 0 ? unknown(r) : UnknownProperties.NONE);
    }

    /** Properties of a later version: 1 to 5 MessagePack values of any kind, the last one not nil. */
    static UnknownProperties unknown(Random r) {
        int count = 1 + r.nextInt(5);
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            for (int i = 0; i < count; i++) {
                anyValue(p, r, 2, i == count - 1);
            }
            return UnknownProperties.of(count, p.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void anyValue(MessageBufferPacker p, Random r, int depth, boolean notNil) throws IOException {
        switch (r.nextInt(depth > 0 ? 9 : 7)) {
            case 0 -> {
                if (notNil) {
                    p.packBoolean(true);
                } else {
                    p.packNil();
                }
            }
            case 1 -> p.packBoolean(r.nextBoolean());
            case 2 -> p.packLong(s(r));
            case 3 -> p.packFloat(r.nextFloat());
            case 4 -> p.packString(str(r));
            case 5 -> p.packBinaryHeader(3).writePayload(bytes(r, 3));
            case 6 -> p.packExtensionTypeHeader((byte) r.nextInt(128), 1).writePayload(bytes(r, 1));
            case 7 -> {
                int n = r.nextInt(4);
                p.packArrayHeader(n);
                for (int i = 0; i < n; i++) {
                    anyValue(p, r, depth - 1, false);
                }
            }
            default -> {
                int n = r.nextInt(3);
                p.packMapHeader(n);
                for (int i = 0; i < n; i++) {
                    p.packString(str(r));
                    anyValue(p, r, depth - 1, false);
                }
            }
        }
    }

    static ByteBuf payload(Random r) {
        int n = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> FrameEncoder.COPY_THRESHOLD - 1 + r.nextInt(3);
            case 2 -> r.nextInt(70_000);
            default -> r.nextInt(600);
        };
        ByteBuf b = r.nextBoolean() ? Unpooled.buffer(n) : Unpooled.directBuffer(n);
        return b.writeBytes(bytes(r, n));
    }
}
