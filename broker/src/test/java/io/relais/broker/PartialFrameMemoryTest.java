package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md 7.8 point 5 and 1.2: many connections that each send half of a 16 MiB frame as fast
 * as they can and then stall. Each large frame must reserve its length within
 * {@code limits.partial-frame-memory} (40 MiB here: two such frames at a time); the others are not
 * read past their first read until memory is given back, so the broker holds about two frames'
 * worth, not what the clients sent. The frame timeout (3 s) then closes them all (2012) and the
 * memory is released. 10 clients by default, 100 with {@code -Drelais.faults.long=true}.
 */
@ExtendWith(LeakCheck.class)
class PartialFrameMemoryTest {
    private static final long BUDGET = 40L << 20;
    /** Bytes one read may bring before the broker stops reading a connection whose frame must wait. */
    private static final long ONE_READ = 256 * 1024;
    private static final int SENT_PER_CLIENT = 8 << 20;
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(3);
    /** When the last client sent its frame's length prefix (the clients' threads start one after another). */
    private static final AtomicLong LAST_HEADER = new AtomicLong();

    @Test
    void shouldBoundWhatIncompleteFramesHoldAndCloseThemWhenTheirTimeIsUp() throws Exception {
        int clients = FaultSummary.rounds(10, 100);
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withTimeouts(Duration.ZERO, Duration.ofSeconds(10))
                .withConnectionBounds(FRAME_TIMEOUT, Duration.ZERO, BUDGET, Duration.ofSeconds(60)))) {
            Broker broker = fixture.broker();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            List<RawConnection> connections = new ArrayList<>();
            ExecutorService senders = Executors.newFixedThreadPool(clients);
            try {
                for (int i = 0; i < clients; i++) {
                    RawConnection c = new RawConnection(fixture.port(), Duration.ofSeconds(10));
                    c.handshake(0);
                    connections.add(c);
                }
                long start = System.nanoTime();
                List<Future<?>> sent = new ArrayList<>();
                for (RawConnection c : connections) {
                    sent.add(senders.submit(() -> sendPartialFrame(c)));
                }
                long maxHeld = 0;
                long maxDirect = 0;
                long maxReserved = 0;
                while (System.nanoTime() - start < FRAME_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5)
                        && broker.connectionCount() > 0) {
                    maxHeld = Math.max(maxHeld, broker.partialFrameBytes());
                    maxDirect = Math.max(maxDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                    maxReserved = Math.max(maxReserved, broker.frameMemoryReserved());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                long end = System.nanoTime();
                double seconds = (end - start) / 1e9;
                double afterLastHeader = (end - LAST_HEADER.get()) / 1e9;
                int timedOut = 0;
                for (RawConnection c : connections) {
                    List<Frame> frames = c.readUntilClosed();
                    if (frames.size() == 1 && frames.get(0) instanceof ErrorFrame e
                            && e.code() == ErrorCode.FRAME_TIMEOUT.code()) {
                        timedOut++;
                    }
                }
                for (Future<?> f : sent) {
                    f.get(10, TimeUnit.SECONDS);
                }
                long sentTotal = (long) clients * SENT_PER_CLIENT;
                long admitted = BUDGET / ((16L << 20) + 4);
                long bound = admitted * SENT_PER_CLIENT + clients * ONE_READ;
                assertThat(maxReserved).as("most bytes reserved for frames being received").isPositive()
                        .isLessThanOrEqualTo(BUDGET);
                assertThat(maxHeld).as("most bytes held in incomplete frames (clients sent %d)", sentTotal)
                        .isGreaterThan(SENT_PER_CLIENT / 2).isLessThanOrEqualTo(bound);
                assertThat(timedOut).as("connections closed with 2012 FRAME_TIMEOUT").isEqualTo(clients);
                assertThat(afterLastHeader).as("seconds from the last client's first byte until all were closed")
                        .isLessThan(FRAME_TIMEOUT.toSeconds() + 2.0);
                assertThat(broker.partialFrameBytes()).as("bytes held once they are closed").isZero();
                assertThat(broker.frameMemoryReserved()).as("bytes reserved once they are closed").isZero();
                FaultSummary.report("slowloris/partial-frame-memory", "%d clients sent %d MiB of 16 MiB frames: broker "
                        + "held at most %.1f MiB of them (%.0f MiB reserved, limit %d MiB), direct memory +%.1f MiB at "
                        + "most; all closed with 2012 within %.1f s (%.1f s after the last one's first byte)", clients,
                        sentTotal >> 20, maxHeld / 1048576.0, maxReserved / 1048576.0, BUDGET >> 20,
                        (maxDirect - directBefore) / 1048576.0, seconds, afterLastHeader);
            } finally {
                senders.shutdownNow();
                for (RawConnection c : connections) {
                    c.close();
                }
            }
        }
    }

    /** The length prefix of a 16 MiB frame and {@link #SENT_PER_CLIENT} bytes of it; stops when the broker closes. */
    static void sendPartialFrame(RawConnection c) {
        try {
            OutputStream out = c.socket().getOutputStream();
            out.write(new byte[] {0x01, 0x00, 0x00, 0x00});
            LAST_HEADER.accumulateAndGet(System.nanoTime(), Math::max);
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < SENT_PER_CLIENT; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
        } catch (IOException closedByTheBroker) {
            // expected once the frame timeout closes the connection
        }
    }
}
