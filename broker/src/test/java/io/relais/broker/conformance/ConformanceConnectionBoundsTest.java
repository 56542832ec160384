package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.Properties;
import io.relais.protocol.VectorCatalog;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclareOk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 3.4 (the heartbeat timeout counts whole frames), 1.2 (the frame timeout, 2012) and 7.8
 * point 7 (a client that does not read is closed, 2013, and its deliveries go to other consumers),
 * against a broker that proposes no heartbeat (each test chooses its own in AUTH), allows 500 ms plus
 * 500 ms per MiB for a frame, and 1 s for a write without heartbeats. Each test prints one
 * {@link FaultSummary} line for the fault it injects.
 */
@DisplayName("1.2, 3.4, 7.8 Slow and stalled clients")
class ConformanceConnectionBoundsTest {
    private static final long HEARTBEAT = 1000;
    private static final Duration FRAME_TIMEOUT = Duration.ofMillis(500);
    private static final Duration FRAME_TIMEOUT_PER_MIB = Duration.ofMillis(500);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    /** A 16 MiB frame, as a length prefix. */
    private static final byte[] HEADER_16_MIB = {0x01, 0x00, 0x00, 0x00};
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker(c -> c
            .withTimeouts(Duration.ZERO, Duration.ofSeconds(10))
            .withConnectionBounds(FRAME_TIMEOUT, FRAME_TIMEOUT_PER_MIB, 64L << 20, WRITE_TIMEOUT)
            .withConsumerTimeout(Duration.ZERO));

    @Test
    @DisplayName("3.4: the length prefix of a frame and then silence is ERROR(0, 2007) after 2 x H")
    void shouldTimeOutWhenAFrameHeaderIsFollowedBySilence() throws IOException {
        Peer peer = BROKER.open(HEARTBEAT);
        long start = System.nanoTime();
        peer.sendBytes(HEADER_16_MIB);
        double seconds = expectHeartbeatTimeout(peer, start);
        FaultSummary.report("slowloris/header-then-silence", "closed with 2007 after %.1f s (heartbeat %d ms)",
                seconds, HEARTBEAT);
    }

    @Test
    @DisplayName("3.4: bytes of a frame that is never completed are not frames: a trickle is ERROR(0, 2007) after 2 x H")
    void shouldTimeOutWhenAnIncompleteFrameIsTrickled() throws Exception {
        Peer peer = BROKER.open(HEARTBEAT);
        long start = System.nanoTime();
        peer.sendBytes(HEADER_16_MIB);
        AtomicBoolean stop = new AtomicBoolean();
        Thread trickle = new Thread(() -> {
            while (!stop.get()) {
                try {
                    peer.sendBytes(new byte[] {(byte) 0xc0});
                } catch (IOException closed) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }, "trickle");
        trickle.start();
        try {
            double seconds = expectHeartbeatTimeout(peer, start);
            FaultSummary.report("slowloris/trickle", "1 byte per 0.5 s into a 16 MiB frame: closed with 2007 after "
                    + "%.1f s (heartbeat %d ms)", seconds, HEARTBEAT);
        } finally {
            stop.set(true);
            trickle.join(5_000);
        }
    }

    /** Heartbeats from the server, then ERROR(0, 2007) and the close, 2 x H after {@code start} (within 1.5 s). */
    private static double expectHeartbeatTimeout(Peer peer, long start) throws IOException {
        List<Frame> frames = peer.readUntilClosed();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(frames).as("frames until the server closed").isNotEmpty();
        assertThat(frames.subList(0, frames.size() - 1)).allMatch(Heartbeat.class::isInstance);
        assertThat(frames.get(frames.size() - 1)).isInstanceOfSatisfying(ErrorFrame.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT.code()));
        assertThat(seconds).as("seconds until the close").isBetween(2 * HEARTBEAT / 1000.0 - 0.2,
                2 * HEARTBEAT / 1000.0 + 1.5);
        return seconds;
    }

    @Test
    @DisplayName("1.2: a frame not complete within the frame timeout is ERROR(0, 2012), close")
    void shouldCloseWhenAFrameIsNotCompleteInTime() throws IOException {
        Peer peer = BROKER.open(0);
        long start = System.nanoTime();
        peer.sendBytes(new byte[] {0x00, 0x10, 0x00, 0x00}); // a 1 MiB frame: 500 ms + 500 ms allowed
        peer.sendBytes(new byte[1000]);
        List<Frame> frames = peer.readUntilClosed();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(frames).as("frames before the close").hasSize(1).first().isInstanceOfSatisfying(ErrorFrame.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TIMEOUT.code());
                    assertThat(e.requestId()).isZero();
                    assertThat(e.message()).contains("1048576", "1000 ms");
                });
        assertThat(seconds).as("seconds until the close (1 s allowed)").isBetween(0.95, 2.0);
        FaultSummary.report("slowloris/partial-frame", "1000 bytes of a 1 MiB frame: closed with 2012 after %.1f s "
                + "(allowed 1.0 s)", seconds);
    }

    @Test
    @DisplayName("1.2: the frame timeout is per frame: frames that each arrive in time are accepted, however long the stream")
    void shouldAcceptFramesThatEachArriveInTime() throws IOException {
        Peer peer = BROKER.open(0);
        String queue = "bounds.pieces";
        peer.declareBoundQueue(queue);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Integer> cuts = new ArrayList<>();
        int frames = 4;
        ConfirmLedger ledger = new ConfirmLedger();
        for (int i = 1; i <= frames; i++) {
            long seq = peer.nextSeq();
            ledger.published(seq);
            byte[] bytes = VectorCatalog.encode(Peer.publish(seq, "", queue, 0, Properties.EMPTY, "piece " + i + " " + "x".repeat(100)));
            cuts.add(stream.size() + bytes.length / 2); // each write ends in the middle of a frame
            stream.writeBytes(bytes);
        }
        cuts.add(stream.size());
        byte[] all = stream.toByteArray();
        long start = System.nanoTime();
        int from = 0;
        for (int cut : cuts) {
            peer.sendBytes(Arrays.copyOfRange(all, from, cut));
            from = cut;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        peer.readConfirms(ledger);
        for (long seq = 1; seq <= frames; seq++) {
            assertThat(ledger.acked(seq)).as("publish %d, sent in two pieces 200 ms apart, was acked", seq).isTrue();
        }
        assertThat(seconds).as("the stream took longer than one frame's timeout").isGreaterThan(0.5);
        peer.expectOpen();
    }

    @Test
    @DisplayName("7.8 point 7: a consumer that sends heartbeats but does not read is closed after 2 x H; its messages go to another consumer")
    void shouldCloseAConsumerThatDoesNotReadAfterTwoHeartbeats() throws Exception {
        stuckConsumer("bounds.stuck-hb", HEARTBEAT, 2 * HEARTBEAT, "slowloris/stuck-consumer");
    }

    @Test
    @DisplayName("7.8 point 7: without heartbeats, a consumer that does not read is closed after the write timeout")
    void shouldCloseAConsumerThatDoesNotReadAfterTheWriteTimeout() throws Exception {
        stuckConsumer("bounds.stuck", 0, WRITE_TIMEOUT.toMillis(), "slowloris/stuck-consumer-no-hb");
    }

    @Test
    @DisplayName("7.8 point 7: a consumer that reads steadily but slowly behind a backlog far above the watermarks is not closed")
    void shouldNotCloseAConsumerThatReadsSlowlyBehindALargeBacklog() throws Exception {
        String queue = "bounds.slow-reader";
        int messages = 2000;
        int size = 16 * 1024;
        Peer admin = BROKER.open(0);
        admin.declareBoundQueue(queue);
        publishMany(admin, queue, messages, size);
        Peer slow = BROKER.openWithReceiveBuffer(4096, HEARTBEAT);
        AtomicBoolean stop = new AtomicBoolean();
        Thread beats = heartbeats(slow, HEARTBEAT, stop, "slow-consumer-heartbeats");
        // Auto-ack with a prefetch above the queue: the queue hands all 32 MiB to the connection at once,
        // before its writability changes, so the server's outgoing buffer holds far more than its 512 KiB
        // low watermark (the kernel's send buffer takes at most 4 MiB), and this client takes about
        // 4 MiB/s of it, so the buffer stays above the low watermark for several seconds, well over the
        // 2 x H after which a client that reads nothing is closed.
        slow.subscribe(1, queue, false, 10_000);
        long start = System.nanoTime();
        beats.start();
        try {
            int delivered = 0;
            while (delivered < messages) {
                Frame f = slow.read();
                if (f instanceof Deliver) {
                    delivered++;
                    if (delivered % 16 == 0) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60));
                    }
                } else {
                    assertThat(f).as("frame %d after %d deliveries", delivered, delivered)
                            .isInstanceOf(Heartbeat.class);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds).as("seconds the slow consumer took: longer than 2 x H, or the test proves nothing")
                    .isGreaterThan(2.0 * HEARTBEAT / 1000);
            assertThat(admin.passive(queue).consumerCount()).as("consumers of the queue: the slow one is still open")
                    .isEqualTo(1);
            FaultSummary.report("slowloris/slow-steady-consumer", "consumer reading about 4 MiB/s behind a 32 MiB "
                    + "backlog (heartbeat %d ms): took %.1f s, not closed", HEARTBEAT, seconds);
        } finally {
            stop.set(true);
            beats.join(5_000);
        }
    }

    /**
     * A queue with more messages than the server's buffers and the consumer's socket hold; a
     * manual-ack consumer with a huge prefetch and a tiny receive buffer subscribes and never reads
     * (it sends HEARTBEATs when {@code heartbeat} > 0). The server must close it within
     * {@code limitMillis} plus the sweep and a margin, and every message must then reach a second
     * consumer.
     */
    private static void stuckConsumer(String queue, long heartbeat, long limitMillis, String kind) throws Exception {
        int messages = 2000;
        Peer admin = BROKER.open(0);
        admin.declareBoundQueue(queue);
        publishMany(admin, queue, messages, 8 * 1024);
        Peer stuck = BROKER.openWithReceiveBuffer(4096, heartbeat);
        AtomicBoolean stop = new AtomicBoolean();
        Thread beats = heartbeats(stuck, heartbeat, stop, "stuck-consumer-heartbeats");
        long start = System.nanoTime();
        stuck.subscribe(1, queue, true, 100_000);
        beats.start();
        try {
            double seconds = 0;
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(limitMillis + 5_000);
            while (System.nanoTime() < deadline) {
                QueueDeclareOk q = admin.passive(queue);
                if (q.consumerCount() == 0 && q.messageCount() == messages) {
                    seconds = (System.nanoTime() - start) / 1e9;
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            assertThat(seconds).as("seconds until the stuck consumer was closed and its %d messages were back "
                    + "(limit %d ms)", messages, limitMillis).isGreaterThan(0).isLessThan(limitMillis / 1000.0 + 1.5);
            Peer other = BROKER.open(0);
            other.subscribe(1, queue, false, 0);
            Set<String> payloads = new HashSet<>();
            int redelivered = 0;
            for (int i = 0; i < messages; i++) {
                Deliver d = other.expect(Deliver.class);
                payloads.add(Peer.text(d).substring(0, 12));
                redelivered += (d.flags() & Deliver.REDELIVERED) != 0 ? 1 : 0;
            }
            assertThat(payloads).as("distinct messages the second consumer got").hasSize(messages);
            assertThat(redelivered).as("deliveries flagged redelivered (the stuck consumer had them)").isPositive();
            FaultSummary.report(kind, "consumer not reading (heartbeat %d ms): closed after %.1f s (limit %d ms); all "
                    + "%d messages went to another consumer, %d flagged redelivered", heartbeat, seconds, limitMillis,
                    messages, redelivered);
        } finally {
            stop.set(true);
            beats.join(5_000);
        }
    }

    /** A thread, not started, sending {@code peer} a HEARTBEAT every {@code heartbeat} / 3 ms until {@code stop}. */
    private static Thread heartbeats(Peer peer, long heartbeat, AtomicBoolean stop, String name) {
        return new Thread(() -> {
            while (!stop.get() && heartbeat > 0) {
                try {
                    peer.send(Heartbeat.INSTANCE);
                } catch (IOException closed) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(heartbeat / 3));
            }
        }, name);
    }

        /** Publishes {@code n} messages of {@code size} bytes (each starting with its 12-character number) with confirms. */
    static void publishMany(Peer peer, String queue, int n, int size) throws IOException {
        ConfirmLedger ledger = new ConfirmLedger();
        int batch = 100;
        for (int i = 0; i < n; i += batch) {
            List<Publish> frames = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + batch); j++) {
                long seq = peer.nextSeq();
                ledger.published(seq);
                String head = String.format("m%011d", j);
                frames.add(Peer.publish(seq, "", queue, 0, Properties.EMPTY, head + "x".repeat(size - head.length())));
            }
            peer.sendTogether(frames);
            peer.readConfirms(ledger);
        }
    }
}
