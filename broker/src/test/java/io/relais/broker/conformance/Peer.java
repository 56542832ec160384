package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.relais.broker.RawConnection;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.PayloadFrame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * The client end of one conformance connection: sends frames (through the protocol codec) or
 * literal bytes, and reads the server's answers with a short timeout, asserting what the document
 * says they are.
 *
 * <p>Keeps every payload frame it reads (DELIVER, RETURN) until {@link #close()}, which releases
 * them, so tests can inspect payloads without releasing anything themselves. Single-threaded.
 */
final class Peer implements AutoCloseable {
    /** How long any read waits for the server. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** How long reads wait in {@link #patiently}: for durable queues, whose first store opens slowly. */
    static final Duration PATIENT_READ_TIMEOUT = Duration.ofSeconds(15);
    /** How long {@link #eventually} retries a check of an effect the document gives no deadline for. */
    static final Duration EVENTUALLY = Duration.ofSeconds(5);
    /** The PLAIN response of the default user, guest / guest, with an empty authzid. */
    static final byte[] GUEST = "\0guest\0guest".getBytes(StandardCharsets.UTF_8);

    private final RawConnection raw;
    private final List<ReferenceCounted> held = new ArrayList<>();
    /** Frames read ahead by {@link #subscribe}, handed out again by {@link #read()} first. */
    private final Deque<Frame> unread = new ArrayDeque<>();
    private long lastRequestId;
    private long lastSeq;
    private String connectionId;

    /** Steps of a test that talk to the server. */
    interface Steps {
        void run() throws IOException;
    }

    private Peer(RawConnection raw) {
        this.raw = raw;
    }

    /** A new TCP connection, in AWAIT_HELLO. */
    static Peer connect(int port) throws IOException {
        return new Peer(new RawConnection(port, READ_TIMEOUT));
    }

    /**
     * A new connection past READY with every capability and {@code heartbeatMillis} proposed, whose
     * socket receive buffer is only {@code receiveBufferBytes}: for a client that stops reading.
     */
    static Peer openWithReceiveBuffer(int port, int receiveBufferBytes, long heartbeatMillis) throws IOException {
        Peer p = new Peer(new RawConnection(port, READ_TIMEOUT, receiveBufferBytes));
        p.hello(ProtocolVersion.V1_CAPABILITIES);
        p.auth(heartbeatMillis);
        return p;
    }

    /** A new connection that sent HELLO (every capability) and read WELCOME: in AWAIT_AUTH. */
    static Peer awaitingAuth(int port) throws IOException {
        Peer p = connect(port);
        p.hello(ProtocolVersion.V1_CAPABILITIES);
        return p;
    }

    /** A new connection past READY, with every capability and the server's heartbeat. */
    static Peer open(int port) throws IOException {
        return open(port, ProtocolVersion.V1_CAPABILITIES);
    }

    /** A new connection past READY that asked for {@code capabilities}. */
    static Peer open(int port, List<String> capabilities) throws IOException {
        Peer p = connect(port);
        p.hello(capabilities);
        p.auth(0);
        return p;
    }

    /** Sends HELLO for version 1 with {@code capabilities}; returns the WELCOME. */
    Welcome hello(List<String> capabilities) throws IOException {
        send(new Hello(1, 1, "conformance", capabilities));
        return expect(Welcome.class);
    }

    /** Sends AUTH PLAIN as guest; returns the READY. */
    Ready auth(long heartbeatMillis) throws IOException {
        send(new Auth(ProtocolVersion.MECH_PLAIN, GUEST, heartbeatMillis));
        Ready ready = expect(Ready.class);
        connectionId = ready.connectionId();
        return ready;
    }

    /** The id READY gave this connection. */
    String connectionId() {
        return connectionId;
    }

    /** A request id not used before on this connection. */
    long nextRequestId() {
        return ++lastRequestId;
    }

    /** A publish sequence number greater than every one used before on this connection. */
    long nextSeq() {
        return ++lastSeq;
    }

    void send(Frame frame) throws IOException {
        raw.send(frame);
    }

    /**
     * Sends {@code frames} in one write, as a pipelining client does (1.7), so that the server most
     * likely reads them all at once; releases them.
     */
    void sendTogether(List<? extends Frame> frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Frame f : frames) {
            ByteBuf buf = FrameEncoder.encodeToBuffer(f, UnpooledByteBufAllocator.DEFAULT);
            try {
                bytes.writeBytes(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
                ReferenceCountUtil.release(f);
            }
        }
        raw.sendRaw(bytes.toByteArray());
    }

    void sendBytes(byte[] bytes) throws IOException {
        raw.sendRaw(bytes);
    }

    /** The next frame from the server. */
    Frame read() throws IOException {
        if (!unread.isEmpty()) {
            return unread.poll();
        }
        Frame f;
        try {
            f = raw.read();
        } catch (EOFException | SocketException e) {
            throw new AssertionError("the server closed the connection while a frame was expected", e);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame from the server within " + raw.socket().getSoTimeout() + " ms", e);
        }
        if (f instanceof ReferenceCounted rc) {
            held.add(rc);
        }
        return f;
    }

    /** The next {@code n} frames, in the order they came. */
    List<Frame> read(int n) throws IOException {
        List<Frame> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            frames.add(read());
        }
        return frames;
    }

    /**
     * Every frame up to and including the answers to all of {@code requestIds}, which may come in
     * any order (1.7), with whatever else arrives in between.
     */
    List<Frame> readUntilAnswered(long... requestIds) throws IOException {
        Set<Long> waiting = new HashSet<>();
        for (long id : requestIds) {
            waiting.add(id);
        }
        List<Frame> frames = new ArrayList<>();
        while (!waiting.isEmpty()) {
            Frame f = read();
            frames.add(f);
            if (f instanceof Answer a) {
                waiting.remove(a.requestId());
            }
        }
        return frames;
    }

    /**
     * Every frame until each published seq of {@code ledger} is settled, applying the CONFIRMs to
     * it; the other frames that arrive meanwhile (RETURN, DELIVER, ...) are returned too.
     */
    List<Frame> readConfirms(ConfirmLedger ledger) throws IOException {
        List<Frame> frames = new ArrayList<>();
        while (!ledger.done()) {
            Frame f = read();
            frames.add(f);
            if (f instanceof Confirm c) {
                ledger.confirmed(c);
            }
        }
        return frames;
    }

    /** Every frame until {@code done} holds for the frames read so far. */
    List<Frame> readUntil(Predicate<List<Frame>> done) throws IOException {
        List<Frame> frames = new ArrayList<>();
        while (!done.test(frames)) {
            frames.add(read());
        }
        return frames;
    }

    /** The frames of {@code type} among {@code frames}, in order. */
    static <T extends Frame> List<T> all(List<Frame> frames, Class<T> type) {
        return frames.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one frame of {@code type} among {@code frames}. */
    static <T extends Frame> T only(List<Frame> frames, Class<T> type) {
        assertThat(frames).as("frames received").filteredOn(type::isInstance).hasSize(1);
        return frames.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    /** The next frame, which must be of {@code type}. */
    <T extends Frame> T expect(Class<T> type) throws IOException {
        Frame f = read();
        assertThat(f).as("next frame from the server").isInstanceOf(type);
        return type.cast(f);
    }

    /** The next frame, which must be ERROR({@code requestId}, {@code code}). */
    ErrorFrame expectError(long requestId, ErrorCode code) throws IOException {
        Frame f = read();
        assertThat(f).as("next frame from the server, expected ERROR(%d, %d)", requestId, code.code())
                .isInstanceOf(ErrorFrame.class);
        ErrorFrame e = (ErrorFrame) f;
        assertThat(e.code()).as("error code of %s", e).isEqualTo(code.code());
        assertThat(e.requestId()).as("request id of %s", e).isEqualTo(requestId);
        return e;
    }

    /** Every frame until the server closes the connection; fails if it does not within the timeout. */
    List<Frame> readUntilClosed() throws IOException {
        try {
            List<Frame> frames = new ArrayList<>(unread);
            unread.clear();
            frames.addAll(raw.readUntilClosed());
            return frames;
        } catch (IOException e) {
            if (e.getCause() instanceof SocketTimeoutException) {
                throw new AssertionError("the server did not close the connection within "
                        + READ_TIMEOUT.toMillis() + " ms (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /** The server sends exactly ERROR(0, {@code code}) and closes the connection (a fatal error, 3.5). */
    void expectFatal(ErrorCode code) throws IOException {
        List<Frame> frames = readUntilClosed();
        assertThat(frames).as("frames before the server closed, expected exactly ERROR(0, %d)", code.code())
                .hasSize(1).first().isInstanceOf(ErrorFrame.class);
        ErrorFrame e = (ErrorFrame) frames.get(0);
        assertThat(e.code()).as("error code of %s", e).isEqualTo(code.code());
        assertThat(e.requestId()).as("request id of %s", e).isZero();
    }

    /**
     * The next frame is CLOSE_OK and the server sends nothing after it (3.5 step 2). As the side
     * that sent CLOSE, this end then shuts its output, so the server sees the end of the stream and
     * closes its end too, which ends the read.
     */
    void expectCloseOk() throws IOException {
        expect(CloseOk.class);
        raw.socket().shutdownOutput();
        assertThat(readUntilClosed()).as("frames after CLOSE_OK, expected none").isEmpty();
    }

    /** The server closes the connection without sending anything more. */
    void expectClosedWithoutFrames() throws IOException {
        assertThat(readUntilClosed()).as("frames before the server closed, expected none").isEmpty();
    }

    /**
     * The connection is open and nothing is pending: an EXCHANGE_LIST sent now is answered by the
     * very next frame. Frames are handled in order (1.2), so anything the server still had to say
     * about earlier frames would come first.
     */
    void expectOpen() throws IOException {
        long id = nextRequestId();
        send(new ExchangeList(id));
        ExchangeListOk ok = expect(ExchangeListOk.class);
        assertThat(ok.requestId()).as("request id of %s", ok).isEqualTo(id);
    }

    /** Sends the request made with a fresh request id; the next frame must be its {@code answer}. */
    <T extends Answer> T call(LongFunction<? extends Request> request, Class<T> answer) throws IOException {
        long id = nextRequestId();
        send(request.apply(id));
        Frame f = read();
        assertThat(f).as("answer to request %d", id).isInstanceOf(answer);
        T a = answer.cast(f);
        assertThat(a.requestId()).as("request id of %s", a).isEqualTo(id);
        return a;
    }

    /**
     * Sends the request made with a fresh request id; the next frame must be ERROR(id, code), and
     * the connection must stay open (every 1xxx error is non-fatal, 9.2).
     */
    ErrorFrame callError(LongFunction<? extends Request> request, ErrorCode code) throws IOException {
        long id = nextRequestId();
        send(request.apply(id));
        ErrorFrame e = expectError(id, code);
        expectOpen();
        return e;
    }

    /** Declares a plain queue (not durable, not exclusive, not auto-delete) with {@code arguments}. */
    QueueDeclareOk declareQueue(String name, Map<String, Object> arguments) throws IOException {
        return call(id -> new QueueDeclare(id, name, false, false, false, false, arguments), QueueDeclareOk.class);
    }

    /** Declares a plain queue without arguments. */
    QueueDeclareOk declareQueue(String name) throws IOException {
        return declareQueue(name, Map.of());
    }

    /** Declares a non-durable exchange of {@code type}. */
    void declareExchange(String name, String type) throws IOException {
        call(id -> new ExchangeDeclare(id, name, type, false, false, false, Map.of()), Ok.class);
    }

    void bind(String queue, String exchange, String pattern) throws IOException {
        call(id -> new Bind(id, queue, exchange, pattern, Map.of()), Ok.class);
    }

    /** Declares {@code queue} and binds it to the default exchange with its own name as the pattern. */
    void declareBoundQueue(String queue) throws IOException {
        declareQueue(queue);
        bind(queue, "", queue);
    }

    /**
     * Subscribes to {@code queue} and reads up to its SUBSCRIBE_OK, which must be the answer to
     * that request. DELIVER frames of the new subscription that arrive before it are kept and
     * returned by the next reads, in order: whether the SUBSCRIBE_OK comes first (4.26) is checked
     * by {@link ConformanceSubscribeTest} alone, so that one departure fails one test.
     */
    SubscribeOk subscribe(long sid, String queue, boolean manualAck, long prefetch) throws IOException {
        return subscribe(id -> new Subscribe(id, sid, queue, "", "", prefetch, manualAck, false));
    }

    /** Sends the SUBSCRIBE made with a fresh request id and reads up to its SUBSCRIBE_OK; see the other form. */
    SubscribeOk subscribe(LongFunction<Subscribe> request) throws IOException {
        long id = nextRequestId();
        send(request.apply(id));
        List<Frame> early = new ArrayList<>();
        Frame f = read();
        while (f instanceof Deliver) {
            early.add(f);
            f = read();
        }
        assertThat(f).as("answer to SUBSCRIBE %d", id).isInstanceOf(SubscribeOk.class);
        SubscribeOk ok = (SubscribeOk) f;
        assertThat(ok.requestId()).as("request id of %s", ok).isEqualTo(id);
        unread.addAll(early);
        return ok;
    }

    /**
     * Publishes with the next seq and reads until its confirmation, which must be an ack; returns
     * the other frames that arrived meanwhile.
     */
    List<Frame> publishAcked(String exchange, String routingKey, int flags, Properties properties, String payload)
            throws IOException {
        long seq = nextSeq();
        send(publish(seq, exchange, routingKey, flags, properties, payload));
        ConfirmLedger ledger = new ConfirmLedger();
        ledger.published(seq);
        List<Frame> frames = new ArrayList<>(readConfirms(ledger));
        assertThat(ledger.acked(seq)).as("publish %d was acked", seq).isTrue();
        frames.removeIf(Confirm.class::isInstance);
        return frames;
    }

    /** Publishes {@code payload} to the default exchange with {@code routingKey}; see the general form. */
    List<Frame> publishAcked(String routingKey, String payload) throws IOException {
        return publishAcked("", routingKey, 0, Properties.EMPTY, payload);
    }

    /** Passive QUEUE_DECLARE of {@code queue}: its counts. */
    QueueDeclareOk passive(String queue) throws IOException {
        return call(id -> new QueueDeclare(id, queue, false, false, false, true, Map.of()), QueueDeclareOk.class);
    }

    /** Returns the frame, a new PUBLISH of the UTF-8 {@code payload}. */
    static Publish publish(long seq, String exchange, String routingKey, int flags, Properties properties,
                           String payload) {
        return new Publish(seq, exchange, routingKey, flags, properties,
                Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
    }

    /** Returns the frame, a new PUBLISH without flags or properties. */
    static Publish publish(long seq, String exchange, String routingKey, String payload) {
        return publish(seq, exchange, routingKey, 0, Properties.EMPTY, payload);
    }

    /** Runs {@code steps} with reads that wait {@link #PATIENT_READ_TIMEOUT} instead of {@link #READ_TIMEOUT}. */
    void patiently(Steps steps) throws IOException {
        raw.socket().setSoTimeout((int) PATIENT_READ_TIMEOUT.toMillis());
        try {
            steps.run();
        } finally {
            raw.socket().setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /**
     * Runs {@code check} (requests and assertions on this connection) until it passes, for at most
     * {@link #EVENTUALLY}; for effects the document states without saying when they are visible to
     * another connection (what the server does when a connection closes, 3.5). Each attempt waits
     * 10 ms after a failed one: that pause paces the retries and asserts nothing.
     */
    void eventually(Steps check) throws IOException {
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** The payload of a DELIVER or RETURN as UTF-8 text. */
    static String text(PayloadFrame frame) {
        return frame.payload().toString(StandardCharsets.UTF_8);
    }

    /** Releases the payload frames read, and closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        for (ReferenceCounted rc : held) {
            if (rc.refCnt() > 0) {
                rc.release();
            }
        }
        held.clear();
        raw.close();
    }
}
