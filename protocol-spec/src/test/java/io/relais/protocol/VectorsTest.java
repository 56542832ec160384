package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.TestVectors.Vector;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.frame.Frame;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LeakCheck.class)
class VectorsTest {

    static List<Vector> vectors() {
        return TestVectors.all();
    }

    static List<Vector> encodableVectors() {
        return TestVectors.all().stream().filter(v -> !v.decodeOnly()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldDecodeToOneFrameOfNamedTypeWhenVectorIsFed(Vector v) {
        for (boolean serverSide : receivers(v.type())) {
            List<Object> out = Codec.decode(serverSide, v.copy());
            try {
                assertThat(out).as("%s, server side %s", v, serverSide).hasSize(1);
                assertThat(out.get(0)).isNotInstanceOf(DecodeFailure.class).isInstanceOf(Frame.class);
                assertThat(((Frame) out.get(0)).type()).isEqualTo(v.type());
            } finally {
                Codec.releaseAll(out);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodableVectors")
    void shouldReencodeToSameBytesWhenVectorIsNotDecodeOnly(Vector v) {
        List<Object> out = Codec.decode(Codec.receiverIsServer(v.type()), v.copy());
        assertThat(out).hasSize(1);
        byte[] again = Codec.encode((Frame) out.get(0)); // releases the frame
        assertThat(TestVectors.toHex(again, 16)).isEqualTo(TestVectors.toHex(v.bytes(), 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void shouldDecodeToCatalogFrameWhenVectorIsRead(Vector v) {
        VectorCatalog.Entry entry = catalog().get(v.name());
        assertThat(entry).as("catalog entry for %s", v).isNotNull();
        assertThat(entry.decodeOnly()).isEqualTo(v.decodeOnly());
        List<Object> out = Codec.decode(Codec.receiverIsServer(v.type()), v.copy());
        Frame expected = entry.frame().get();
        try {
            assertThat(out).hasSize(1);
            Codec.assertSameFrame(out.get(0), expected);
        } finally {
            Codec.releaseAll(out);
            ReferenceCountUtil.release(expected);
        }
        assertThat(entry.bytes()).as("catalog bytes of %s", v).isEqualTo(v.bytes());
    }

    @Test
    void shouldCoverEveryFrameTypeWhenAllVectorsAreLoaded() {
        Set<FrameType> covered = TestVectors.all().stream().map(Vector::type)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(FrameType.class)));
        assertThat(covered).containsExactlyInAnyOrder(FrameType.values());
        assertThat(FrameType.values()).hasSize(39);
        assertThat(TestVectors.all()).anyMatch(Vector::decodeOnly);
    }

    @Test
    void shouldHaveOneFilePerCatalogEntryWhenDirectoryIsListed() {
        assertThat(TestVectors.all().stream().map(Vector::name))
                .containsExactlyInAnyOrderElementsOf(VectorCatalog.entries().stream().map(VectorCatalog.Entry::name)
                        .toList());
        assertThat(TestVectors.all()).allSatisfy(v -> assertThat(v.description()).isNotBlank());
    }

    private static Map<String, VectorCatalog.Entry> catalog() {
        return VectorCatalog.entries().stream().collect(Collectors.toMap(VectorCatalog.Entry::name, Function.identity()));
    }

    private static List<Boolean> receivers(FrameType type) {
        return Arrays.asList(type.sentByClient() ? true : null, type.sentByServer() ? false : null).stream()
                .filter(Objects::nonNull).toList();
    }
}
