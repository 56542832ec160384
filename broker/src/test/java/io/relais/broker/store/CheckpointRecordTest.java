package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckpointRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
    private final RecordChecksum checksum = new RecordChecksum();

    @AfterEach
    void release() {
        bytes.releaseLast();
    }

    @Test
    void shouldWriteTheFieldsPackedAfterTheTypeByteAndTheChecksumAsDrawn() {
        new CheckpointRecord(1, 2, 3, 4, 5, 6, 7, new long[] {8, 9}).write(bytes, checksum);

        assertThat(bytes.readRemaining()).isEqualTo(65 + 2 * 8);
        byte[] record = bytes.toByteArray();
        assertThat(HexFormat.of().formatHex(record, 0, 1)).isEqualTo("04");
        assertThat(HexFormat.of().formatHex(record, 5, record.length)).isEqualTo(
                "0100000000000000" + "0200000000000000" + "0300000000000000" + "0400000000000000"
                + "0500000000000000" + "0600000000000000" + "0700000000000000"
                + "02000000"
                + "0800000000000000" + "0900000000000000");
    }

    @Test
    void shouldReadBackWhatItWroteWhenTheCheckPasses() {
        new CheckpointRecord(10, 0x4a00000003L, 12, 13, 14, 15, 16, new long[] {11, 14}).write(bytes, checksum);

        assertThat(CheckpointRecord.check(bytes, checksum)).isNull();
        CheckpointRecord read = CheckpointRecord.read(bytes);
        assertThat(read.floor()).isEqualTo(10);
        assertThat(read.positionIndex()).isEqualTo(0x4a00000003L);
        assertThat(read.positionSeq()).isEqualTo(12);
        assertThat(read.settledCount()).isEqualTo(13);
        assertThat(read.settledBytes()).isEqualTo(14);
        assertThat(read.nextSeq()).isEqualTo(15);
        assertThat(read.appendedBytes()).isEqualTo(16);
        assertThat(read.settledAboveFloor()).containsExactly(11, 14);
        assertThat(bytes.readRemaining()).isZero();
    }

    @Test
    void shouldReadARecordOfFormatOneWithoutAChecksum() {
        bytes.writeByte(CheckpointRecord.TYPE_V1);
        for (long v = 1; v <= 7; v++) {
            bytes.writeLong(v * 10);
        }
        bytes.writeInt(1);
        bytes.writeLong(33);

        assertThat(CheckpointRecord.check(bytes, checksum)).isNull();
        CheckpointRecord read = CheckpointRecord.read(bytes);
        assertThat(read.floor()).isEqualTo(10);
        assertThat(read.appendedBytes()).isEqualTo(70);
        assertThat(read.settledAboveFloor()).containsExactly(33);
    }

    @Test
    void shouldRefuseACountOfSettledSequenceNumbersOtherThanTheRecordHolds() {
        new CheckpointRecord(1, 2, 3, 4, 5, 6, 7, new long[] {8}).write(bytes, checksum);
        bytes.writeInt(61, 1_000_000);

        assertThat(CheckpointRecord.check(bytes, checksum))
                .contains("says it holds 1000000 settled sequence numbers but its document holds 73 bytes");
    }

    @Test
    void shouldRefuseARecordWithAFlippedBit() {
        new CheckpointRecord(1, 2, 3, 4, 5, 6, 7, new long[] {8}).write(bytes, checksum);
        bytes.writeByte(20, (byte) (bytes.readByte(20) ^ 1));

        assertThat(CheckpointRecord.check(bytes, checksum)).contains("checksum");
    }
}
