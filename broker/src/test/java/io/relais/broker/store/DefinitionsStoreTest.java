package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.core.routing.BindingDefinition;
import io.relais.broker.core.routing.Definitions;
import io.relais.broker.core.routing.ExchangeDefinition;
import io.relais.broker.core.routing.QueueDefinition;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class DefinitionsStoreTest {
    @TempDir
    Path dir;

    private DefinitionsStore store() {
        return new DefinitionsStore(dir);
    }

    private Path file() {
        return dir.resolve(DefinitionsStore.FILE_NAME).toAbsolutePath();
    }

    private static Definitions sample() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("max-length", 1000L);
        args.put("max-length-bytes", Long.MAX_VALUE);
        args.put("message-ttl", -1L);
        args.put("overflow", "reject-publish");
        return new Definitions(
                List.of(new ExchangeDefinition("orders", "topic", false),
                        new ExchangeDefinition("logs.ünïcode", "topic", true),
                        new ExchangeDefinition("direct-1", "direct", false),
                        new ExchangeDefinition("direct-2", "direct", true),
                        new ExchangeDefinition("fan", "fanout", false),
                        new ExchangeDefinition("fan-auto", "fanout", true)),
                List.of(new QueueDefinition("q1", false, args),
                        new QueueDefinition("q2", true, Map.of()),
                        new QueueDefinition("q3", false, Map.of("overflow", "drop-head", "max-length", 0L))),
                List.of(new BindingDefinition("orders", "q1", "orders.*.created"),
                        new BindingDefinition("orders", "q2", "#"),
                        new BindingDefinition("direct-1", "q3", ""),
                        new BindingDefinition("fan", "q1", "ignored")));
    }

    /** A file with a correct checksum over whatever body is given. */
    private void writeFile(int version, byte[] body) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer b = ByteBuffer.allocate(13 + body.length)
                .put(new byte[] {'R', 'L', 'D', 'F'}).put((byte) version).putInt(body.length)
                .putInt((int) crc.getValue()).put(body);
        Files.write(file(), b.array());
    }

    private static byte[] body(PackAction action) throws IOException {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            action.pack(p);
            return p.toByteArray();
        }
    }

    private interface PackAction {
        void pack(MessageBufferPacker p) throws IOException;
    }

    private void assertLoadFails(String... fragments) {
        assertThatThrownBy(() -> store().load())
                .isExactlyInstanceOf(StoreException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("move it aside")
                .hasMessageContainingAll(fragments);
    }

    @Test
    void shouldReturnEmptyWhenFileDoesNotExist() {
        assertThat(store().load()).isEqualTo(Definitions.EMPTY);
    }

    @Test
    void shouldReturnEmptyWhenDataDirectoryDoesNotExist() {
        assertThat(new DefinitionsStore(dir.resolve("absent")).load()).isEqualTo(Definitions.EMPTY);
    }

    @Test
    void shouldLoadWhatWasSavedWhenRoundTripping() {
        store().save(sample());
        assertThat(store().load()).isEqualTo(sample());
        assertThat(dir.resolve(DefinitionsStore.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void shouldRoundTripEmptyDefinitions() {
        store().save(Definitions.EMPTY);
        assertThat(store().load()).isEqualTo(Definitions.EMPTY);
    }

    @Test
    void shouldCreateDataDirectoryWhenSaving() {
        DefinitionsStore nested = new DefinitionsStore(dir.resolve("a/b"));
        nested.save(sample());
        assertThat(nested.load()).isEqualTo(sample());
    }

    @Test
    void shouldKeepSecondContentWhenSavingTwice() {
        DefinitionsStore store = store();
        store.save(sample());
        Definitions second = new Definitions(List.of(new ExchangeDefinition("only", "fanout", false)),
                List.of(), List.of());
        store.save(second);
        assertThat(store().load()).isEqualTo(second);
    }

    @Test
    void shouldIgnoreAndDeleteLeftoverTmpWhenLoading() throws IOException {
        store().save(sample());
        Path tmp = dir.resolve(DefinitionsStore.FILE_NAME + ".tmp");
        Files.write(tmp, new byte[] {'R', 'L', 'D', 'F', 1, 0, 0});
        assertThat(store().load()).isEqualTo(sample());
        assertThat(tmp).doesNotExist();
    }

    @Test
    void shouldDeleteLeftoverTmpWhenThereIsNoFile() throws IOException {
        Path tmp = dir.resolve(DefinitionsStore.FILE_NAME + ".tmp");
        Files.write(tmp, new byte[] {1, 2, 3});
        assertThat(store().load()).isEqualTo(Definitions.EMPTY);
        assertThat(tmp).doesNotExist();
    }

    @Test
    void shouldLeavePreviousFileWhenSaveFails() throws IOException {
        store().save(sample());
        Path tmp = dir.resolve(DefinitionsStore.FILE_NAME + ".tmp");
        Files.createDirectories(tmp.resolve("blocker"));
        assertThatThrownBy(() -> store().save(Definitions.EMPTY))
                .isExactlyInstanceOf(StoreException.class)
                .hasMessageContaining(file().toString());
        assertThat(store().load()).isEqualTo(sample());
    }

    @Test
    void shouldReportChecksumWhenABodyByteIsFlipped() throws IOException {
        store().save(sample());
        byte[] bytes = Files.readAllBytes(file());
        bytes[13 + (bytes.length - 13) / 2] ^= 0x01;
        Files.write(file(), bytes);
        assertLoadFails("checksum mismatch: stored 0x", "computed 0x");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 5, 8, 12, 13, -1, -2})
    void shouldReportTruncationWhenFileIsCut(int length) throws IOException {
        store().save(sample());
        byte[] bytes = Files.readAllBytes(file());
        int cut = switch (length) {
            case -1 -> 13 + (bytes.length - 13) / 2;
            case -2 -> bytes.length - 1;
            default -> length;
        };
        Files.write(file(), Arrays.copyOf(bytes, cut));
        assertLoadFails("truncated", "found " + cut);
    }

    @Test
    void shouldReportExpectedLengthWhenBodyIsCut() throws IOException {
        store().save(sample());
        byte[] bytes = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(bytes, 20));
        assertLoadFails("truncated: expected " + bytes.length + " bytes, found 20");
    }

    @Test
    void shouldReportTrailingBytesWhenFileIsTooLong() throws IOException {
        store().save(sample());
        byte[] bytes = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(bytes, bytes.length + 1));
        assertLoadFails("too long");
    }

    @Test
    void shouldReportMagicWhenMagicIsWrong() throws IOException {
        store().save(sample());
        byte[] bytes = Files.readAllBytes(file());
        bytes[0] = 'X';
        Files.write(file(), bytes);
        assertLoadFails("bad magic");
    }

    @Test
    void shouldReportMagicWhenFileIsText() throws IOException {
        Files.writeString(file(), "exchanges: []\n");
        assertLoadFails("bad magic");
    }

    @Test
    void shouldReportVersionWhenVersionIsUnknown() throws IOException {
        writeFile(2, DefinitionsCodec.encode(sample()));
        assertLoadFails("version 2");
    }

    @Test
    void shouldReadFileWrittenByHandWithTheDocumentedLayout() throws IOException {
        writeFile(1, body(p -> {
            p.packMapHeader(4);
            p.packString("bindings").packArrayHeader(1)
                    .packArrayHeader(3).packString("x").packString("q").packString("a.#");
            p.packString("future-key").packMapHeader(1).packString("k").packArrayHeader(1).packFloat(1.5f);
            p.packString("queues").packArrayHeader(1)
                    .packArrayHeader(3).packString("q").packBoolean(true)
                    .packMapHeader(2).packString("max-length").packInt(7).packString("overflow")
                    .packString("drop-head");
            p.packString("exchanges").packArrayHeader(1)
                    .packArrayHeader(3).packString("x").packString("topic").packBoolean(false);
        }));
        assertThat(store().load()).isEqualTo(new Definitions(
                List.of(new ExchangeDefinition("x", "topic", false)),
                List.of(new QueueDefinition("q", true, Map.of("max-length", 7L, "overflow", "drop-head"))),
                List.of(new BindingDefinition("x", "q", "a.#"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"c1", "dd ffffffff", "de ffffffff", "81 a9", "0102030405", "", "ffffffff",
            "83 a9 65786368616e676573 90 a6 717565756573 90 a8 62696e64696e6773 c1"})
    void shouldReportInvalidBodyWhenBodyIsGarbageWithValidChecksum(String hex) throws IOException {
        writeFile(1, hex(hex));
        assertLoadFails("invalid body");
    }

    @Test
    void shouldReportMissingKeyWhenBodyLacksBindings() throws IOException {
        writeFile(1, body(p -> {
            p.packMapHeader(2);
            p.packString("exchanges").packArrayHeader(0);
            p.packString("queues").packArrayHeader(0);
        }));
        assertLoadFails("invalid body", "'bindings'");
    }

    @Test
    void shouldReportTrailingDataWhenBodyHasTwoValues() throws IOException {
        byte[] good = DefinitionsCodec.encode(Definitions.EMPTY);
        writeFile(1, Arrays.copyOf(good, good.length + 1));
        assertLoadFails("invalid body", "trailing");
    }

    @Test
    void shouldReportTupleSizeWhenExchangeHasFourFields() throws IOException {
        writeFile(1, body(p -> {
            p.packMapHeader(3);
            p.packString("exchanges").packArrayHeader(1)
                    .packArrayHeader(4).packString("x").packString("topic").packBoolean(false).packNil();
            p.packString("queues").packArrayHeader(0);
            p.packString("bindings").packArrayHeader(0);
        }));
        assertLoadFails("invalid body", "exchanges[0]");
    }

    @Test
    void shouldReportTypeWhenExchangeTypeIsUnknown() throws IOException {
        writeFile(1, body(p -> {
            p.packMapHeader(3);
            p.packString("exchanges").packArrayHeader(1)
                    .packArrayHeader(3).packString("x").packString("headers").packBoolean(false);
            p.packString("queues").packArrayHeader(0);
            p.packString("bindings").packArrayHeader(0);
        }));
        assertLoadFails("invalid body", "headers");
    }

    @Test
    void shouldReportArgumentWhenValueIsAFloat() throws IOException {
        writeFile(1, queueWithArgument(p -> p.packDouble(1.5)));
        assertLoadFails("invalid body", "max-length", "float");
    }

    @Test
    void shouldReportArgumentWhenValueIsANestedMap() throws IOException {
        writeFile(1, queueWithArgument(p -> p.packMapHeader(1).packString("a").packLong(1)));
        assertLoadFails("invalid body", "max-length", "map");
    }

    @Test
    void shouldReportArgumentWhenValueIsNil() throws IOException {
        writeFile(1, queueWithArgument(p -> p.packNil()));
        assertLoadFails("invalid body", "max-length", "nil");
    }

    @Test
    void shouldReportArgumentWhenIntegerDoesNotFitALong() throws IOException {
        writeFile(1, queueWithArgument(p -> p.packBigInteger(BigInteger.ONE.shiftLeft(63))));
        assertLoadFails("invalid body", "max-length");
    }

    private static byte[] queueWithArgument(PackAction value) throws IOException {
        return body(p -> {
            p.packMapHeader(3);
            p.packString("exchanges").packArrayHeader(0);
            p.packString("queues").packArrayHeader(1)
                    .packArrayHeader(3).packString("q").packBoolean(false).packMapHeader(1).packString("max-length");
            value.pack(p);
            p.packString("bindings").packArrayHeader(0);
        });
    }

    @Test
    void shouldReportPathWhenFileIsADirectory() throws IOException {
        Files.createDirectory(file());
        assertLoadFails("Cannot read");
    }

    @Test
    void shouldRefuseArgumentOfUnsupportedTypeWhenConstructing() {
        assertThatThrownBy(() -> new QueueDefinition("q", false, Map.of("max-length", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-length");
    }

    private static byte[] hex(String s) {
        String digits = s.replace(" ", "");
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
