package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AckRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
    private final RecordChecksum checksum = new RecordChecksum();

    @AfterEach
    void release() {
        bytes.releaseLast();
    }

    @Test
    void shouldWriteTheTypeByteTheChecksumThenSeqAndSizeLittleEndianAsDrawn() {
        AckRecord.write(bytes, checksum, 0x0102030405060708L, 17);

        byte[] record = bytes.toByteArray();
        String fields = "0807060504030201" + "1100000000000000";
        assertThat(HexFormat.of().formatHex(record, 0, 1)).isEqualTo("03");
        assertThat(HexFormat.of().formatHex(record, 5, 21)).isEqualTo(fields);
        CRC32C crc = new CRC32C();
        crc.update(record, 0, 1);
        crc.update(record, 5, 16);
        assertThat(Integer.toUnsignedLong(Integer.reverseBytes(
                Integer.parseUnsignedInt(HexFormat.of().formatHex(record, 1, 5), 16)))).isEqualTo(crc.getValue());
    }

    @Test
    void shouldReadBackWhatItWroteWhenTheCheckPasses() {
        AckRecord.write(bytes, checksum, 42, 1000);

        assertThat(AckRecord.check(bytes, checksum)).isNull();
        assertThat(AckRecord.read(bytes)).isEqualTo(new AckRecord(42, 1000));
        assertThat(bytes.readRemaining()).isZero();
    }

    @Test
    void shouldReadARecordOfFormatOneWithoutAChecksum() {
        bytes.writeByte(AckRecord.TYPE_V1);
        bytes.writeLong(7);
        bytes.writeLong(99);

        assertThat(AckRecord.check(bytes, checksum)).isNull();
        assertThat(AckRecord.read(bytes)).isEqualTo(new AckRecord(7, 99));
    }

    @Test
    void shouldRefuseARecordWithAFlippedBitOrTheWrongLength() {
        AckRecord.write(bytes, checksum, 42, 1000);
        bytes.writeByte(9, (byte) (bytes.readByte(9) ^ 0x10));
        assertThat(AckRecord.check(bytes, checksum)).contains("checksum");

        bytes.clear();
        bytes.writeByte(AckRecord.TYPE_V1);
        bytes.writeLong(7);
        assertThat(AckRecord.check(bytes, checksum)).contains("17 bytes long");
    }
}
