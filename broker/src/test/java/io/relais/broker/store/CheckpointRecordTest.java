package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckpointRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();

    @AfterEach
    void release() {
        bytes.releaseLast();
    }

    @Test
    void shouldWriteTheFieldsPackedAfterTheTypeByteAsDrawn() {
        new CheckpointRecord(1, 2, 3, 4, 5, 6, 7, new long[] {8, 9}).write(bytes);

        assertThat(bytes.readRemaining()).isEqualTo(61 + 2 * 8);
        assertThat(HexFormat.of().formatHex(bytes.toByteArray())).isEqualTo("02"
                + "0100000000000000" + "0200000000000000" + "0300000000000000" + "0400000000000000"
                + "0500000000000000" + "0600000000000000" + "0700000000000000"
                + "02000000"
                + "0800000000000000" + "0900000000000000");
    }

    @Test
    void shouldReadBackWhatItWroteWhenTheTypeByteIsRead() {
        new CheckpointRecord(10, 0x4a00000003L, 12, 13, 14, 15, 16, new long[] {11, 14}).write(bytes);

        assertThat(bytes.readByte()).isEqualTo(CheckpointRecord.TYPE);
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
    void shouldRefuseACountOfSettledSequenceNumbersLargerThanTheRecordHolds() {
        new CheckpointRecord(1, 2, 3, 4, 5, 6, 7, new long[] {8}).write(bytes);
        bytes.writeInt(57, 1_000_000);
        bytes.readByte();

        assertThatThrownBy(() -> CheckpointRecord.read(bytes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1000000 settled sequence numbers but has room for 1");
    }
}
