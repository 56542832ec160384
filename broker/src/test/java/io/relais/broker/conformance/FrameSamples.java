package io.relais.broker.conformance;

import io.netty.buffer.Unpooled;
import io.relais.protocol.Properties;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Reject;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import io.relais.protocol.frame.Welcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * One sample of every frame type, grouped as the rows of the table in PROTOCOL.md 3.2: the frames
 * legal only in OPEN (requests, PUBLISH, ACK, NACK, REJECT), the server-only frames, and unknown type
 * ids as literal bytes. Every call makes new frames (payload frames are released when sent).
 */
final class FrameSamples {
    /** What a frame legal only in OPEN is answered with there. */
    enum Kind {
        /** A request: exactly one answer carrying its request id (1.7). */
        REQUEST,
        /** PUBLISH with {@code seq} 1: a CONFIRM of seq 1 (4.22). */
        PUBLISH,
        /** ACK, NACK, REJECT of tag 1 with nothing outstanding: ERROR(0, 1009) (4.30-4.32). */
        SETTLE
    }

    /** A client frame made with a given request id. */
    record ClientFrame(String name, Kind kind, LongFunction<Frame> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A frame only the server may send. */
    record ServerFrame(String name, Supplier<Frame> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A literal frame whose type id version 1 does not define. */
    record UnknownType(String name, byte[] frame) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Opens a connection in the state a table is about. */
    interface Connect {
        Peer connect() throws IOException;
    }

    private FrameSamples() {
    }

    /** The 15 client frame types that are legal only in OPEN. */
    static List<ClientFrame> openOnly() {
        return List.of(
                new ClientFrame("EXCHANGE_DECLARE", Kind.REQUEST,
                        id -> new ExchangeDeclare(id, "samples.x", "topic", false, false, false, Map.of())),
                new ClientFrame("EXCHANGE_DELETE", Kind.REQUEST, id -> new ExchangeDelete(id, "samples.none", false)),
                new ClientFrame("QUEUE_DECLARE", Kind.REQUEST,
                        id -> new QueueDeclare(id, "", false, true, false, false, Map.of())),
                new ClientFrame("QUEUE_DELETE", Kind.REQUEST, id -> new QueueDelete(id, "samples.none", false, false)),
                new ClientFrame("QUEUE_PURGE", Kind.REQUEST, id -> new QueuePurge(id, "samples.none")),
                new ClientFrame("BIND", Kind.REQUEST, id -> new Bind(id, "samples.none", "", "k", Map.of())),
                new ClientFrame("UNBIND", Kind.REQUEST, id -> new Unbind(id, "samples.none", "", "k")),
                new ClientFrame("EXCHANGE_LIST", Kind.REQUEST, ExchangeList::new),
                new ClientFrame("QUEUE_LIST", Kind.REQUEST, QueueList::new),
                new ClientFrame("SUBSCRIBE", Kind.REQUEST, id -> new Subscribe(id, 1, "", "", "samples.#", 0, false,
                        false)),
                new ClientFrame("CANCEL", Kind.REQUEST, id -> new Cancel(id, 1)),
                new ClientFrame("PUBLISH", Kind.PUBLISH, id -> Peer.publish(1, "", "samples.k", "x")),
                new ClientFrame("ACK", Kind.SETTLE, id -> new Ack(1, false)),
                new ClientFrame("NACK", Kind.SETTLE, id -> new Nack(1, false, true)),
                new ClientFrame("REJECT", Kind.SETTLE, id -> new Reject(1, true)));
    }

    /** The 12 frame types only the server sends, well formed. */
    static List<ServerFrame> serverOnly() {
        return List.of(
                new ServerFrame("WELCOME", () -> new Welcome(1, "relais", "0.1.0", ProtocolVersion.V1_CAPABILITIES,
                        List.of(ProtocolVersion.MECH_PLAIN), ProtocolVersion.DEFAULT_MAX_FRAME_SIZE, 30_000)),
                new ServerFrame("READY", () -> new Ready("c1", 30_000)),
                new ServerFrame("ERROR", () -> new ErrorFrame(1, 1002, "no queue q")),
                new ServerFrame("OK", () -> new Ok(1, 0)),
                new ServerFrame("QUEUE_DECLARE_OK", () -> new QueueDeclareOk(1, "q", 0, 0)),
                new ServerFrame("EXCHANGE_LIST_OK", () -> new ExchangeListOk(1, List.of())),
                new ServerFrame("QUEUE_LIST_OK", () -> new QueueListOk(1, List.of())),
                new ServerFrame("CONFIRM", () -> new Confirm(1, true, false, 0)),
                new ServerFrame("RETURN", () -> new Return(1, 1001, "no route", "", "k", Properties.EMPTY,
                        Unpooled.copiedBuffer("x", StandardCharsets.UTF_8))),
                new ServerFrame("SUBSCRIBE_OK", () -> new SubscribeOk(1, 1, "q")),
                new ServerFrame("CANCELLED", () -> new Cancelled(1, 1011, "queue deleted")),
                new ServerFrame("DELIVER", () -> new Deliver(1, 1, 0, "", "k", Properties.EMPTY,
                        Unpooled.copiedBuffer("x", StandardCharsets.UTF_8))));
    }

    /**
     * Type ids version 1 leaves unassigned (section 2: 22-29 and 42 and above), and 0, which
     * section 2 neither assigns nor lists as unassigned, in several integer formats.
     */
    static List<UnknownType> unknownTypes() {
        return List.of(
                new UnknownType("id 0", Bytes.frame("91 00")),
                new UnknownType("id 22", Bytes.frame("91 16")),
                new UnknownType("id 29", Bytes.frame("91 1d")),
                new UnknownType("id 56", Bytes.frame("91 38")),
                new UnknownType("id 64 (fixint)", Bytes.frame("91 40")),
                new UnknownType("id 200 (uint 8)", Bytes.frame("91 cc c8")),
                new UnknownType("id 65535 (uint 16)", Bytes.frame("91 cd ff ff")),
                new UnknownType("id 2^32 (uint 64)", Bytes.frame("91 cf 00 00 00 01 00 00 00 00")),
                new UnknownType("id 22 with fields", Bytes.frame("93 16 01 a1 71")));
    }

    /**
     * One dynamic test per sample, named {@code "<where>, <sample>: <expected>"}. Rows of a table are
     * dynamic tests so that each is reported on its own while the per-test leak check (a few forced
     * garbage collections) runs once per table.
     */
    static <T> Stream<DynamicTest> rows(List<T> samples, String where, String expected, ThrowingConsumer<T> check) {
        return samples.stream().map(s -> {
            String name = where + ", " + s + ": " + expected;
            return DynamicTest.dynamicTest(name, () -> {
                try {
                    check.accept(s);
                } catch (AssertionError e) {
                    // Build tools name dynamic tests by index; the message says which row failed.
                    throw new AssertionError(name + ": " + e.getMessage(), e);
                }
            });
        });
    }
}
