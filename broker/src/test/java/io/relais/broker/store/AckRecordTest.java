package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AckRecordTest {
    private final Bytes<?> bytes = Bytes.allocateElasticOnHeap();

    @AfterEach
    void release() {
        bytes.releaseLast();
    }

    @Test
    void shouldWriteTheTypeByteThenSeqAndSizeLittleEndianAsDrawn() {
        AckRecord.write(bytes, 0x0102030405060708L, 17);

        assertThat(HexFormat.of().formatHex(bytes.toByteArray()))
                .isEqualTo("01" + "0807060504030201" + "1100000000000000");
    }

    @Test
    void shouldReadBackWhatItWroteWhenTheTypeByteIsRead() {
        AckRecord.write(bytes, 42, 1000);

        assertThat(bytes.readByte()).isEqualTo(AckRecord.TYPE);
        assertThat(AckRecord.read(bytes)).isEqualTo(new AckRecord(42, 1000));
        assertThat(bytes.readRemaining()).isZero();
    }
}
