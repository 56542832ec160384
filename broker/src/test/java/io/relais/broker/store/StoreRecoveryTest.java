package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreRecoveryTest {
    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(1_790_000_000_000L);
    private final RecordChecksum checksum = new RecordChecksum();
    private SingleChronicleQueue messages;
    private SingleChronicleQueue acks;
    private ExcerptAppender ackAppender;

    @BeforeEach
    void open() {
        messages = queue("messages");
        acks = queue("acks");
        ackAppender = acks.createAppender();
    }

    @AfterEach
    void close() {
        ackAppender.close();
        messages.close();
        acks.close();
    }

    private SingleChronicleQueue queue(String sub) {
        return MessageStore.build(dir.resolve(sub), SyncMode.NONE, time);
    }

    private void ack(long seq, long size) {
        try (DocumentContext dc = ackAppender.writingDocument()) {
            AckRecord.write(dc.wire().bytes(), checksum, seq, size);
        }
    }

    private long checkpoint(CheckpointRecord cp) {
        try (DocumentContext dc = ackAppender.writingDocument()) {
            cp.write(dc.wire().bytes(), checksum);
        }
        return ackAppender.lastIndexAppended();
    }

    private void message(long seq, long appendedBytes) {
        ByteBuf header = Unpooled.buffer(4).writeInt(0);
        try (ExcerptAppender appender = messages.createAppender();
             DocumentContext dc = appender.writingDocument()) {
            MessageRecord.write(dc.wire().bytes(), checksum, seq, 0, appendedBytes, header, Unpooled.EMPTY_BUFFER);
        } finally {
            header.release();
        }
    }

    private StoreRecovery recover(long checkpointIndex) {
        return StoreRecovery.recover(messages, acks, checkpointIndex, "q", dir);
    }

    @Test
    void shouldStartFromNothingWhenBothLogsAreEmpty() {
        StoreRecovery r = recover(0);

        assertThat(r.floor()).isZero();
        assertThat(r.positionIndex()).isEqualTo(-1);
        assertThat(r.positionSeq()).isEqualTo(-1);
        assertThat(r.nextSeq()).isZero();
        assertThat(r.appendedBytes()).isZero();
        assertThat(r.settledCount()).isZero();
        assertThat(r.settledAhead()).isEmpty();
    }

    @Test
    void shouldReplayOnlyTheAcksAfterTheCheckpointWhenItIsFound() {
        ack(0, 100);
        ack(1, 100);
        long cp = checkpoint(new CheckpointRecord(2, 0x77, 2, 2, 200, 6, 600, new long[] {4}));
        ack(3, 10);
        ack(3, 10);
        ack(1, 100);
        ack(5, 30);
        message(5, 600);

        StoreRecovery r = recover(cp);

        assertThat(r.floor()).isEqualTo(2);
        assertThat(r.positionIndex()).isEqualTo(0x77);
        assertThat(r.positionSeq()).isEqualTo(2);
        assertThat(r.settledCount()).as("3 and 5 once each; 1 is below the floor").isEqualTo(4);
        assertThat(r.settledBytes()).isEqualTo(240);
        assertThat(r.settledAhead()).containsExactlyInAnyOrder(3L, 4L, 5L);
        assertThat(r.nextSeq()).isEqualTo(6);
        assertThat(r.appendedBytes()).isEqualTo(600);
    }

    @Test
    void shouldTakeTheNextSeqFromTheLastMessageWhenItIsNewerThanTheCheckpoint() {
        long cp = checkpoint(new CheckpointRecord(0, -1, -1, 0, 0, 2, 20, new long[0]));
        message(0, 10);
        message(1, 20);
        message(2, 35);

        StoreRecovery r = recover(cp);

        assertThat(r.nextSeq()).isEqualTo(3);
        assertThat(r.appendedBytes()).isEqualTo(35);
    }

    @Test
    void shouldReplayTheWholeSettleLogWhenTheCheckpointIsNotFound() {
        checkpoint(new CheckpointRecord(1, 5, 1, 1, 10, 3, 30, new long[0]));
        ack(2, 10);
        message(2, 30);

        StoreRecovery r = recover(0x7fff_0000_0000L);

        assertThat(r.floor()).isEqualTo(1);
        assertThat(r.settledCount()).isEqualTo(2);
        assertThat(r.settledAhead()).containsExactly(2L);
    }

    @Test
    void shouldDropSettledSeqsBelowTheFloorWhenTheCheckpointListsThem() {
        long cp = checkpoint(new CheckpointRecord(2, 9, 2, 2, 2, 5, 5, new long[] {1, 3}));
        message(4, 5);

        assertThat(recover(cp).settledAhead()).containsExactly(3L);
    }

    @Test
    void shouldSkipARecordOfUnknownTypeAsDamagedAndKeepTheOthers() {
        ack(0, 1);
        try (DocumentContext dc = ackAppender.writingDocument()) {
            dc.wire().bytes().writeByte((byte) 9);
        }
        ack(1, 2);
        message(0, 1);
        message(1, 3);

        StoreRecovery r = recover(0);

        assertThat(r.settledAhead()).containsExactlyInAnyOrder(0L, 1L);
        assertThat(r.settledCount()).isEqualTo(2);
    }

    @Test
    void shouldReplayTheWholeSettleLogWhenTheCheckpointItPointsAtIsDamaged() {
        ack(0, 5);
        long cp;
        try (DocumentContext dc = ackAppender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            long start = b.writePosition();
            new CheckpointRecord(1, 9, 1, 1, 5, 3, 30, new long[0]).write(b, checksum);
            b.writeByte(start + 10, (byte) (b.readByte(start + 10) ^ 4));
        }
        cp = ackAppender.lastIndexAppended();
        ack(2, 7);
        message(2, 30);

        StoreRecovery r = recover(cp);

        assertThat(r.floor()).as("no checkpoint trusted").isZero();
        assertThat(r.settledAhead()).containsExactlyInAnyOrder(0L, 2L);
        assertThat(r.settledCount()).isEqualTo(2);
        assertThat(r.settledBytes()).isEqualTo(12);
    }

    @Test
    void shouldTakeTheNextSeqFromTheLastValidMessageWhenTheLastRecordIsDamaged() {
        message(0, 10);
        message(1, 20);
        try (ExcerptAppender appender = messages.createAppender();
             DocumentContext dc = appender.writingDocument()) {
            // What a fault on a mapped file left: a document of garbage numbers.
            dc.wire().bytes().writeLong(3_477_613_978_526_404_559L);
            dc.wire().bytes().writeLong(-1);
            dc.wire().bytes().writeLong(Long.MAX_VALUE);
            dc.wire().bytes().writeLong(0);
        }

        StoreRecovery r = recover(0);

        assertThat(r.nextSeq()).isEqualTo(2);
        assertThat(r.appendedBytes()).isEqualTo(20);
    }

    @Test
    void shouldCountAsSettledTheMessagesTheCheckpointCountedThatAreNoLongerOnDisk() {
        message(0, 10);
        message(1, 20);
        // The checkpoint knew 5 messages (50 bytes) of which 3 is settled; 2, 3 and 4 were cut.
        long cp = checkpoint(new CheckpointRecord(0, -1, -1, 1, 10, 5, 50, new long[] {3}));

        StoreRecovery r = recover(cp);

        assertThat(r.nextSeq()).as("sequence numbers are not given again").isEqualTo(5);
        assertThat(r.lostFrom()).isEqualTo(2);
        assertThat(r.lostTo()).isEqualTo(5);
        assertThat(r.nextSeq() - r.settledCount()).as("depth: messages 0 and 1").isEqualTo(2);
        assertThat(r.settledAhead()).isEmpty();
    }

    @Test
    void shouldForgetSettlementsOfMessagesPastTheLastValidOne() {
        long cp = checkpoint(new CheckpointRecord(0, -1, -1, 0, 0, 0, 0, new long[0]));
        message(0, 10);
        message(1, 20);
        ack(1, 10);
        ack(2, 10);

        StoreRecovery r = recover(cp);

        assertThat(r.nextSeq()).isEqualTo(2);
        assertThat(r.settledAhead()).containsExactly(1L);
        assertThat(r.settledCount()).isEqualTo(1);
        assertThat(r.settledBytes()).isEqualTo(10);
    }
}
