package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md 7.8 point 5 and 1.2: two publishers that each send one PUBLISH and then 8 MiB of a
 * 16 MiB frame raise the memory alarm (watermark 8 MiB) on their partly arrived bytes alone. The
 * alarm pauses them, so those bytes cannot grow or complete; their frame timeout (3 s, nothing per
 * MiB) runs on, so both are closed with 2012, the alarm clears, and a third publisher gets through.
 * With the frame clock stopped while the alarm pauses a publisher, both stayed open and every
 * publisher stayed paused for ever. The frame memory (64 MiB) is left above the watermark on purpose,
 * as the broker's own configuration would refuse it (ConfigLoader): the runtime bound must hold anyway.
 * A second test: partial frames of connections that never published do not raise the alarm.
 */
@ExtendWith(LeakCheck.class)
class PausedPartialFrameAlarmTest {
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void shouldCloseAlarmPausedPublishersHoldingPartialFramesSoTheAlarmClears() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withTimeouts(Duration.ZERO, Duration.ofSeconds(10))
                .withMemoryHighWatermark(8L << 20)
                .withConnectionBounds(FRAME_TIMEOUT, Duration.ZERO, 64L << 20, Duration.ofSeconds(60)))) {
            Broker broker = fixture.broker();
            RelaisClient admin = fixture.client();
            admin.declareQueue(QueueDeclaration.named("alarm.sink")).join();
            admin.bind("alarm.sink", "", "alarm.sink").join();
            List<RawConnection> publishers = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawConnection c = new RawConnection(fixture.port(), Duration.ofSeconds(20));
                    c.handshake(0);
                    c.send(new Publish(0, "", "alarm.sink", 0, Properties.EMPTY, Unpooled.wrappedBuffer(new byte[16])));
                    publishers.add(c);
                    Thread t = new Thread(() -> PartialFrameMemoryTest.sendPartialFrame(c), "partial-publisher-" + i);
                    t.start();
                    senders.add(t);
                }
                long start = System.nanoTime();
                boolean raised = false;
                while (!raised && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                    raised = broker.memoryAlarm();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertThat(raised).as("memory alarm raised by the two partial frames (%d bytes held)",
                        broker.partialFrameBytes()).isTrue();
                int timedOut = 0;
                for (RawConnection c : publishers) {
                    List<Frame> frames = c.readUntilClosed();
                    if (!frames.isEmpty() && frames.get(frames.size() - 1) instanceof ErrorFrame e
                            && e.code() == ErrorCode.FRAME_TIMEOUT.code()) {
                        timedOut++;
                    }
                }
                double closedAfter = (System.nanoTime() - start) / 1e9;
                assertThat(timedOut).as("paused publishers closed with 2012 FRAME_TIMEOUT").isEqualTo(2);
                assertThat(closedAfter).as("seconds from the alarm until both were closed")
                        .isLessThan(FRAME_TIMEOUT.toSeconds() + 2.5);
                long closed = System.nanoTime();
                while (broker.memoryAlarm() && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(2)) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertThat(broker.memoryAlarm()).as("memory alarm once they are closed").isFalse();
                RelaisClient third = fixture.client();
                for (int i = 0; i < 3; i++) {
                    third.publishConfirmed(Message.builder("alarm.sink").payload(new byte[1024]).build())
                            .get(5, TimeUnit.SECONDS);
                }
                assertThat(broker.partialFrameBytes()).as("bytes held once they are closed").isZero();
                FaultSummary.report("memory-alarm/paused-partial-frames", "2 publishers held 8 MiB each of 16 MiB "
                        + "frames (watermark 8 MiB): alarm raised, both closed with 2012 after %.1f s, a third "
                        + "publisher then confirmed", closedAfter);
            } finally {
                for (RawConnection c : publishers) {
                    c.close();
                }
                for (Thread t : senders) {
                    t.join(10_000);
                }
            }
        }
    }

    /**
     * PROTOCOL.md 7.8 point 5: connections that have not published (here not even authenticated) and
     * hold part of a HELLO each (60 KiB of a 64,000-byte frame, no admission needed) hold more than the
     * 1 MiB watermark together, but the alarm counts only the frames of connections it pauses, so it
     * stays down and a publisher gets through. Counting them let 4,000 such clients stop every publisher.
     */
    @Test
    void shouldNotLetConnectionsThatNeverPublishedRaiseTheAlarmWithPartialFrames() throws Exception {
        int clients = 40;
        try (BrokerFixture fixture = new BrokerFixture(c -> c
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(10)).withMemoryHighWatermark(1L << 20))) {
            Broker broker = fixture.broker();
            List<RawConnection> idle = new ArrayList<>();
            try {
                byte[] prefix = {0x00, 0x00, (byte) 0xfa, 0x00};
                byte[] part = new byte[60 * 1024];
                for (int i = 0; i < clients; i++) {
                    RawConnection c = new RawConnection(fixture.port(), Duration.ofSeconds(10));
                    c.sendRaw(prefix);
                    c.sendRaw(part);
                    idle.add(c);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (broker.partialFrameBytes() < (long) clients * part.length && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                assertThat(broker.partialFrameBytes()).as("bytes held in partial HELLOs")
                        .isGreaterThanOrEqualTo((long) clients * part.length);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // several runs of the memory monitor
                assertThat(broker.memoryAlarm()).as("memory alarm while only unauthenticated clients hold frames")
                        .isFalse();
                RelaisClient publisher = fixture.client();
                publisher.declareQueue(QueueDeclaration.named("alarm.honest")).join();
                publisher.bind("alarm.honest", "", "alarm.honest").join();
                for (int i = 0; i < 3; i++) {
                    publisher.publishConfirmed(Message.builder("alarm.honest").payload(new byte[1024]).build())
                            .get(5, TimeUnit.SECONDS);
                }
            } finally {
                for (RawConnection c : idle) {
                    c.close();
                }
            }
        }
    }
}
