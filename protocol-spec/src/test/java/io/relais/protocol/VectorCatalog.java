package io.relais.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.codec.FrameEncoder;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The frames behind the files in {@code protocol-spec/vectors/}, with their descriptions.
 *
 * <p>The files are the reference; this catalog is how they were produced ({@link #main} writes
 * them with the real encoder) and lets {@code VectorsTest} check that each file decodes to the
 * frame its comments describe. Run {@code main} only when adding vectors, and review the diff.
 */
public final class VectorCatalog {

    /**
     * One vector definition.
     *
     * @param name file name without {@code .hex}
     * @param description what the frame holds, in words
     * @param frame the frame the vector decodes to (a fresh instance per call: payload frames are released)
     * @param raw for decode-only vectors, the bytes (built by hand); {@code null} to encode {@code frame}
     */
    public record Entry(String name, String description, Supplier<Frame> frame, Supplier<byte[]> raw) {
        public boolean decodeOnly() {
            return raw != null;
        }

        /** The bytes of the vector: hand-built, or encoded with {@link FrameEncoder#encodeToBuffer}. */
        public byte[] bytes() {
            if (raw != null) {
                return raw.get();
            }
            return encode(frame.get());
        }
    }

    private VectorCatalog() {
    }

    static final List<String> CAPS = ProtocolVersion.V1_CAPABILITIES;

    static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** 600 bytes: 0x00, 0x01, ... 0xff, 0x00, ... (more than FrameEncoder.COPY_THRESHOLD). */
    static ByteBuf counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return Unpooled.wrappedBuffer(b);
    }

    static Properties allProperties() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("nil", null);
        headers.put("yes", Boolean.TRUE);
        headers.put("no", Boolean.FALSE);
        headers.put("small", 7L);
        headers.put("neg", -3L);
        headers.put("u16", 1000L);
        headers.put("i64", -5_000_000_000L);
        headers.put("pi", 3.5d);
        headers.put("str", "é");
        headers.put("bin", new byte[] {1, 2, 3});
        return new Properties("application/json", "m-1", "c-1", "_reply.c-1", 1_700_000_000_000L, 60_000L, headers);
    }

    /**
     * Properties with three properties of a later version: content_type, headers {"z": 1, "a": 2}
     * (not in sorted order), then nil, [1, "x"] and 5 written as uint16.
     */
    static Properties unknownProperties() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("z", 1L);
        headers.put("a", 2L);
        byte[] later = pack(p -> {
            p.packNil();
            p.packArrayHeader(2);
            p.packInt(1);
            p.packString("x");
        });
        byte[] uint16Five = {(byte) 0xcd, 0x00, 0x05};
        byte[] encoded = new byte[later.length + uint16Five.length];
        System.arraycopy(later, 0, encoded, 0, later.length);
        System.arraycopy(uint16Five, 0, encoded, later.length, uint16Five.length);
        return Properties.builder().contentType("text/plain").headers(headers)
                .unknown(UnknownProperties.of(3, encoded)).build();
    }

    /** Every vector, in file-name order. */
    public static List<Entry> entries() {
        return List.of(
            e("01-hello", """
                HELLO from a client: min_version 1, max_version 1, client_name "relais-java/0.1.0",
                capabilities ["confirms", "returns", "manual-ack", "server-cancel"].""",
                () -> new Hello(1, 1, "relais-java/0.1.0", CAPS)),
            e("02-welcome", """
                WELCOME: version 1, server_name "relais", server_version "0.1.0",
                capabilities ["confirms", "returns", "manual-ack", "server-cancel"], mechanisms ["PLAIN"],
                max_frame_size 16777216 (uint32 0xce), heartbeat_millis 30000 (uint16 0xcd).""",
                () -> new Welcome(1, "relais", "0.1.0", CAPS, List.of("PLAIN"), 16_777_216, 30_000)),
            e("03-auth", """
                AUTH: mechanism "PLAIN", response bin 00 'guest' 00 'guest' (empty authzid, user guest,
                password guest), heartbeat_millis 0 (accept the server's).""",
                () -> new Auth("PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), 0)),
            e("03-auth-external", """
                AUTH: mechanism "EXTERNAL", response bin empty (the user is the one the TLS client
                certificate names), heartbeat_millis 0 (accept the server's).""",
                () -> new Auth("EXTERNAL", new byte[0], 0)),
            e("03-auth-scram_sha_256", """
                AUTH: mechanism "SCRAM-SHA-256", response the client-first-message of RFC 7677's example,
                "n,,n=user,r=rOprNGfwEbeRWgbNEkqO" (gs2 header "n,," = no channel binding, no authzid),
                heartbeat_millis 0.""",
                () -> new Auth("SCRAM-SHA-256", ascii(SCRAM_CLIENT_FIRST), 0)),
            e("04-ready", """
                READY: connection_id "c-1", heartbeat_millis 30000.""",
                () -> new Ready("c-1", 30_000)),
            e("05-heartbeat", """
                HEARTBEAT: no fields; the body is the one-element array [5].""",
                () -> Heartbeat.INSTANCE),
            decodeOnly("05-heartbeat-extension", """
                HEARTBEAT as a later protocol version might send it, with two extra trailing fields:
                the str "later" and the map {"x": 1}. A v1 decoder skips them and yields HEARTBEAT.""",
                () -> Heartbeat.INSTANCE,
                () -> extend(encode(Heartbeat.INSTANCE), 2, pack(p -> {
                    p.packString("later");
                    p.packMapHeader(1);
                    p.packString("x");
                    p.packInt(1);
                }))),
            e("06-close", """
                CLOSE: code 2009, reason "server shutting down".""",
                () -> new Close(2009, "server shutting down")),
            e("07-close_ok", """
                CLOSE_OK: no fields; the body is [7].""",
                CloseOk::new),
            e("08-error", """
                ERROR: request_id 7, code 1002 (NOT_FOUND), message "exchange 'orders' not found".""",
                () -> new ErrorFrame(7, 1002, "exchange 'orders' not found")),
            e("09-ok", """
                OK: request_id 7, count 3.""",
                () -> new Ok(7, 3)),
            e("10-exchange_declare", """
                EXCHANGE_DECLARE: request_id 1, name "orders", exchange_type "topic", durable true,
                auto_delete false, passive false, arguments {} (empty map 0x80).""",
                () -> new ExchangeDeclare(1, "orders", "topic", true, false, false, Map.of())),
            e("11-exchange_delete", """
                EXCHANGE_DELETE: request_id 2, name "orders", if_unused true.""",
                () -> new ExchangeDelete(2, "orders", true)),
            e("12-queue_declare", """
                QUEUE_DECLARE: request_id 3, name "orders.eu", durable true, exclusive false,
                auto_delete false, passive false, arguments {"max-length": 1000, "overflow": "reject-publish"}.""",
                () -> {
                    Map<String, Object> args = new LinkedHashMap<>();
                    args.put("max-length", 1000L);
                    args.put("overflow", "reject-publish");
                    return new QueueDeclare(3, "orders.eu", true, false, false, false, args);
                }),
            e("12-queue_declare-server_named", """
                QUEUE_DECLARE asking for a server-named queue: request_id 4, name "" (empty), durable false,
                exclusive true, auto_delete true, passive false, arguments {}.""",
                () -> new QueueDeclare(4, "", false, true, true, false, Map.of())),
            e("13-queue_declare_ok", """
                QUEUE_DECLARE_OK: request_id 4, name "relais.gen.5f3a", message_count 0, consumer_count 0.""",
                () -> new QueueDeclareOk(4, "relais.gen.5f3a", 0, 0)),
            e("14-queue_delete", """
                QUEUE_DELETE: request_id 5, name "orders.eu", if_unused true, if_empty false.""",
                () -> new QueueDelete(5, "orders.eu", true, false)),
            e("15-queue_purge", """
                QUEUE_PURGE: request_id 6, name "orders.eu".""",
                () -> new QueuePurge(6, "orders.eu")),
            e("16-bind", """
                BIND: request_id 7, queue "orders.eu", exchange "orders", pattern "eu.#", arguments {}.""",
                () -> new Bind(7, "orders.eu", "orders", "eu.#", Map.of())),
            e("17-unbind", """
                UNBIND: request_id 8, queue "orders.eu", exchange "orders", pattern "eu.#".""",
                () -> new Unbind(8, "orders.eu", "orders", "eu.#")),
            e("18-exchange_list", """
                EXCHANGE_LIST: request_id 9.""",
                () -> new ExchangeList(9)),
            e("19-exchange_list_ok", """
                EXCHANGE_LIST_OK: request_id 9, exchanges: two entries [name, type, durable, auto_delete, bindings]:
                ["", "topic", true, false, 0] (the default exchange) and ["orders", "topic", true, false, 1].""",
                () -> new ExchangeListOk(9, List.of(new ExchangeInfo("", "topic", true, false, 0),
                        new ExchangeInfo("orders", "topic", true, false, 1)))),
            e("19-exchange_list_ok-empty", """
                EXCHANGE_LIST_OK: request_id 10, exchanges [] (empty array 0x90).""",
                () -> new ExchangeListOk(10, List.of())),
            e("20-queue_list", """
                QUEUE_LIST: request_id 11.""",
                () -> new QueueList(11)),
            e("21-queue_list_ok", """
                QUEUE_LIST_OK: request_id 11, queues: one entry
                [name, durable, exclusive, auto_delete, messages, unacked, consumers] =
                ["orders.eu", true, false, false, 12, 2, 1].""",
                () -> new QueueListOk(11, List.of(new QueueInfo("orders.eu", true, false, false, 12, 2, 1)))),
            e("30-publish", """
                PUBLISH fire-and-forget: seq 0, exchange "" (default), routing_key "greetings", flags 0,
                properties [] (empty, one byte 0x90), payload bin8 "hello".""",
                () -> new Publish(0, "", "greetings", 0, Properties.EMPTY, utf8("hello"))),
            e("30-publish-persistent_mandatory", """
                PUBLISH with a confirm: seq 1, exchange "orders", routing_key "eu.fr", flags 3
                (bit 0 persistent, bit 1 mandatory), properties ["text/plain"] (content_type only),
                payload bin8 "bonjour".""",
                () -> new Publish(1, "orders", "eu.fr", Publish.PERSISTENT | Publish.MANDATORY,
                        Properties.builder().contentType("text/plain").build(), utf8("bonjour"))),
            e("30-publish-all_properties", """
                PUBLISH: seq 2, exchange "orders", routing_key "eu.de", flags 0, properties with all seven fields:
                content_type "application/json", message_id "m-1", correlation_id "c-1", reply_to "_reply.c-1",
                timestamp 1700000000000 (uint64 0xcf), expiration 60000 (uint16),
                headers (10 entries, in this order) "nil": nil, "yes": true, "no": false, "small": 7 (fixint),
                "neg": -3 (negative fixint 0xfd), "u16": 1000 (uint16 0xcd), "i64": -5000000000 (int64 0xd3),
                "pi": 3.5 (float64 0xcb), "str": "é" (fixstr, 2 UTF-8 bytes), "bin": bin8 01 02 03;
                payload bin8 "{}".""",
                () -> new Publish(2, "orders", "eu.de", 0, allProperties(), utf8("{}"))),
            e("30-publish-sparse_properties", """
                PUBLISH: seq 0, exchange "", routing_key "rpc", flags 0, properties with only reply_to set:
                [nil, nil, nil, "_reply.c-1"] (absent leading fields are nil, trailing ones omitted),
                payload bin8 "ping".""",
                () -> new Publish(0, "", "rpc", 0, Properties.builder().replyTo("_reply.c-1").build(),
                        utf8("ping"))),
            e("30-publish-large_payload", """
                PUBLISH with a payload above FrameEncoder.COPY_THRESHOLD (512), the zero-copy path:
                seq 3, exchange "", routing_key "bulk", flags 0, properties [], payload bin16 (0xc5 0x0258)
                of 600 bytes 00 01 02 ... ff 00 01 ... 57.""",
                () -> new Publish(3, "", "bulk", 0, Properties.EMPTY, counting(600))),
            decodeOnly("30-publish-extension", """
                PUBLISH with one extra trailing field after the payload (a later version's field, here the
                uint 42): seq 0, exchange "", routing_key "greetings", flags 0, properties [], payload "hello".
                A v1 decoder skips the 42; the payload is not the last element of the body.""",
                () -> new Publish(0, "", "greetings", 0, Properties.EMPTY, utf8("hello")),
                () -> extend(encode(new Publish(0, "", "greetings", 0, Properties.EMPTY, utf8("hello"))), 1,
                        pack(p -> p.packInt(42)))),
            e("30-publish-properties_extension", """
                PUBLISH whose properties array has 8 elements: the 7 of v1 (content_type "text/plain", then
                nil for message_id, correlation_id, reply_to, timestamp, expiration, headers) and an eighth,
                unknown one (str "future"), which a v1 decoder keeps as it is and a broker delivers unchanged.
                seq 0, exchange "", routing_key "k", flags 0, payload "x".""",
                () -> new Publish(0, "", "k", 0, Properties.builder().contentType("text/plain")
                        .unknown(UnknownProperties.of(1, pack(p -> p.packString("future")))).build(), utf8("x"))),
            e("30-publish-unknown_properties", """
                PUBLISH carrying three properties of a later version after the seven of v1: seq 4,
                exchange "orders", routing_key "eu.fr", flags 1 (persistent), properties content_type
                "text/plain", nil for message_id, correlation_id, reply_to, timestamp and expiration,
                headers {"z": 1, "a": 2} (kept in this order, not sorted), then the unknown elements
                nil, [1, "x"] and 5 written as uint16 (cd 00 05, not the shortest form): a decoder keeps
                them byte for byte, inner nil included, and an encoder writes them back as they are.
                payload bin8 "bonjour". 37-deliver-unknown_properties is the DELIVER a broker makes of it.""",
                () -> new Publish(4, "orders", "eu.fr", Publish.PERSISTENT, unknownProperties(), utf8("bonjour"))),
            decodeOnly("30-publish-unknown_properties_trailing_nil", """
                PUBLISH whose properties array ends with nil elements after an unknown one: [nil x 7,
                "future", nil, nil]. nil means absent, so a decoder keeps only "future" (an eighth element)
                and an encoder writes [nil x 7, "future"]. seq 0, exchange "", routing_key "k", flags 0,
                payload "x".""",
                () -> new Publish(0, "", "k", 0, Properties.builder()
                        .unknown(UnknownProperties.of(1, pack(p -> p.packString("future")))).build(), utf8("x")),
                () -> frameBytes(pack(p -> {
                    p.packArrayHeader(7);
                    p.packInt(30);
                    p.packInt(0);
                    p.packString("");
                    p.packString("k");
                    p.packInt(0);
                    p.packArrayHeader(10);
                    for (int i = 0; i < 7; i++) {
                        p.packNil();
                    }
                    p.packString("future");
                    p.packNil();
                    p.packNil();
                    p.packBinaryHeader(1);
                    p.writePayload(new byte[] {'x'});
                }))),
            e("31-confirm", """
                CONFIRM ack: seq 1, ack true, multiple false, code 0.""",
                () -> new Confirm(1, true, false, 0)),
            e("31-confirm-nack", """
                CONFIRM nack: seq 2, ack false, multiple false, code 1006 (QUEUE_FULL).""",
                () -> new Confirm(2, false, false, 1006)),
            decodeOnly("31-confirm-extension", """
                CONFIRM with two extra trailing fields a v1 decoder skips (an array [1, 2] and nil):
                seq 5, ack true, multiple true, code 0.""",
                () -> new Confirm(5, true, true, 0),
                () -> extend(encode(new Confirm(5, true, true, 0)), 2, pack(p -> {
                    p.packArrayHeader(2);
                    p.packInt(1);
                    p.packInt(2);
                    p.packNil();
                }))),
            e("32-return", """
                RETURN: seq 1, code 1001 (NO_ROUTE), reason "no route", exchange "orders", routing_key "eu.fr",
                properties [nil, nil, "c-9"] (correlation_id only), payload bin8 "bonjour".""",
                () -> new Return(1, 1001, "no route", "orders", "eu.fr",
                        Properties.builder().correlationId("c-9").build(), utf8("bonjour"))),
            e("33-subscribe", """
                SUBSCRIBE with a pattern: request_id 12, sid 1, queue "" (server-made queue), exchange "orders",
                pattern "eu.*", prefetch 100, manual_ack true, exclusive false.""",
                () -> new Subscribe(12, 1, "", "orders", "eu.*", 100, true, false)),
            e("34-subscribe_ok", """
                SUBSCRIBE_OK: request_id 12, sid 1, queue "relais.sub.c-1.1".""",
                () -> new SubscribeOk(12, 1, "relais.sub.c-1.1")),
            e("35-cancel", """
                CANCEL: request_id 13, sid 1.""",
                () -> new Cancel(13, 1)),
            e("36-cancelled", """
                CANCELLED: sid 1, code 1011 (QUEUE_DELETED), reason "file supprimée" (non-ASCII: é is c3 a9).""",
                () -> new Cancelled(1, 1011, "file supprimée")),
            e("37-deliver", """
                DELIVER: sid 1, delivery_tag 1, flags 0, exchange "orders", routing_key "eu.fr",
                properties ["text/plain", "m-1"], payload bin8 "bonjour".""",
                () -> new Deliver(1, 1, 0, "orders", "eu.fr",
                        Properties.builder().contentType("text/plain").messageId("m-1").build(), utf8("bonjour"))),
            e("37-deliver-redelivered_large_payload", """
                DELIVER of a redelivered persistent message with a large payload: sid 2, delivery_tag 300
                (uint16), flags 3 (bit 0 redelivered, bit 1 persistent), exchange "", routing_key "bulk",
                properties [], payload bin16 of 1000 bytes 00 01 02 ... ff 00 ... e7.""",
                () -> new Deliver(2, 300, Deliver.REDELIVERED | Deliver.PERSISTENT, "", "bulk", Properties.EMPTY,
                        counting(1000))),
            e("37-deliver-unknown_properties", """
                DELIVER of 30-publish-unknown_properties as a broker forwards it: sid 3, delivery_tag 7, flags 2
                (persistent), exchange "orders", routing_key "eu.fr", and the properties array byte for byte as
                published (the seven of v1, headers {"z": 1, "a": 2} in that order, then nil, [1, "x"],
                cd 00 05), payload bin8 "bonjour".""",
                () -> new Deliver(3, 7, Deliver.PERSISTENT, "orders", "eu.fr", unknownProperties(), utf8("bonjour"))),
            e("38-ack", """
                ACK: delivery_tag 1, multiple false.""",
                () -> new Ack(1, false)),
            e("39-nack", """
                NACK: delivery_tag 300, multiple true, requeue true.""",
                () -> new Nack(300, true, true)),
            e("40-reject", """
                REJECT: delivery_tag 2, requeue false.""",
                () -> new Reject(2, false)),
            e("41-flow", """
                FLOW: blocked true, queue "jobs", reason "slow".""",
                () -> new Flow(true, "jobs", "slow")),
            e("41-flow-resumed", """
                FLOW: blocked false, queue "", reason "".""",
                () -> new Flow(false, "", "")),
            e("42-auth_challenge", """
                AUTH_CHALLENGE: data the server-first-message of RFC 7677's example,
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                done false (an AUTH_RESPONSE must follow).""",
                () -> new AuthChallenge(ascii(SCRAM_SERVER_FIRST), false)),
            e("42-auth_challenge-done", """
                AUTH_CHALLENGE: data the server-final-message of RFC 7677's example,
                "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", done true (READY follows).""",
                () -> new AuthChallenge(ascii(SCRAM_SERVER_FINAL), true)),
            e("43-auth_response", """
                AUTH_RESPONSE: data the client-final-message of RFC 7677's example (user "user", password
                "pencil"), "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,
                p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=" (one line, no space).""",
                () -> new AuthResponse(ascii(SCRAM_CLIENT_FINAL))),
            e("44-user_put", """
                USER_PUT: request_id 7, name "user", mode 0 (create), salt bin 16 5b 6d 99 68 9d 12 35 8e ec a0 4b
                14 12 36 fa 81 (RFC 7677's), iterations 4096, stored_key and server_key (32 bytes each) derived
                from the password "pencil", tags ["administrator"].""",
                () -> new UserPut(7, "user", UserPut.CREATE, hex(RFC_SALT), 4096, hex(RFC_STORED_KEY),
                        hex(RFC_SERVER_KEY), List.of("administrator"))),
            e("45-user_delete", """
                USER_DELETE: request_id 8, name "alice".""",
                () -> new UserDelete(8, "alice")),
            e("46-user_list", """
                USER_LIST: request_id 9.""",
                () -> new UserList(9)),
            e("47-user_list_ok", """
                USER_LIST_OK: request_id 9, users [["alice", [], false], ["guest", ["administrator"], true]].""",
                () -> new UserListOk(9, List.of(new UserInfo("alice", List.of(), false),
                        new UserInfo("guest", List.of("administrator"), true)))));
    }

    /**
     * RFC 7677, section 3: the SCRAM-SHA-256 exchange of user "user", password "pencil" (the client's nonce
     * {@code rOprNGfwEbeRWgbNEkqO}, the server's part {@code %hvYDpWUa2RaTCAfuxFIlj)hNlF$k0}); the broker's
     * SCRAM tests use these too.
     */
    public static final String SCRAM_CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    public static final String SCRAM_SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    public static final String SCRAM_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    public static final String SCRAM_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    public static final String RFC_SALT = "5b6d99689d12358eeca04b141236fa81";
    public static final String RFC_STORED_KEY = "586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6";
    public static final String RFC_SERVER_KEY = "c1f3cbc1c13a9d35a14c0990eed97629ea225863e566a4314ab99f3f00e5d9d5";

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s);
    }

    private static Entry e(String name, String description, Supplier<Frame> frame) {
        return new Entry(name, description, frame, null);
    }

    private static Entry decodeOnly(String name, String description, Supplier<Frame> frame, Supplier<byte[]> raw) {
        return new Entry(name, description, frame, raw);
    }

    /** Encodes a frame (releasing it) with the real encoder. */
    public static byte[] encode(Frame frame) {
        ByteBuf buf = FrameEncoder.encodeToBuffer(frame, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
            ReferenceCountUtil.release(frame);
        }
    }

    interface PackerAction {
        void accept(MessageBufferPacker p) throws IOException;
    }

    /** Raw MessagePack bytes. */
    static byte[] pack(PackerAction action) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            action.accept(p);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Length prefix + body. */
    public static byte[] frameBytes(byte[] body) {
        byte[] out = new byte[4 + body.length];
        out[0] = (byte) (body.length >>> 24);
        out[1] = (byte) (body.length >>> 16);
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    /** Appends {@code count} extra elements (already packed) to an encoded frame whose body is a fixarray. */
    static byte[] extend(byte[] frame, int count, byte[] extra) {
        byte[] body = new byte[frame.length - 4 + extra.length];
        System.arraycopy(frame, 4, body, 0, frame.length - 4);
        System.arraycopy(extra, 0, body, frame.length - 4, extra.length);
        int header = body[0] & 0xff;
        if ((header & 0xf0) != 0x90 || (header & 0x0f) + count > 15) {
            throw new IllegalArgumentException("body is not a small fixarray");
        }
        body[0] = (byte) (header + count);
        return frameBytes(body);
    }

    /** Writes every vector file into the directory given as argument (default: the vectors directory). */
    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : TestVectors.directory();
        for (Entry e : entries()) {
            StringBuilder sb = new StringBuilder();
            for (String line : e.description().strip().split("\n")) {
                sb.append("# ").append(line.strip()).append('\n');
            }
            if (e.decodeOnly()) {
                sb.append("# decode-only\n");
            }
            sb.append(TestVectors.toHex(e.bytes(), 16)).append('\n');
            Files.writeString(dir.resolve(e.name() + ".hex"), sb.toString(), StandardCharsets.UTF_8);
        }
    }
}
