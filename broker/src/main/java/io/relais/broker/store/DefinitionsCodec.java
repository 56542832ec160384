package io.relais.broker.store;

import io.relais.broker.core.routing.BindingDefinition;
import io.relais.broker.core.routing.Definitions;
import io.relais.broker.core.routing.ExchangeDefinition;
import io.relais.broker.core.routing.QueueDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Codec for the body of the definitions file: one MessagePack map
 * {@code {"exchanges": [[name, type, autoDelete]...], "queues": [[name, autoDelete, {key: value}]...],
 * "bindings": [[exchange, queue, pattern]...]}}. Unknown keys of the map are skipped; missing keys,
 * duplicate keys, wrong types, wrong tuple sizes and trailing bytes are refused. Stateless;
 * thread-safe.
 */
final class DefinitionsCodec {
    static final String EXCHANGES = "exchanges";
    static final String QUEUES = "queues";
    static final String BINDINGS = "bindings";

    private static final MessagePack.UnpackerConfig STRICT = new MessagePack.UnpackerConfig()
            .withActionOnMalformedString(CodingErrorAction.REPORT)
            .withActionOnUnmappableString(CodingErrorAction.REPORT);

    private DefinitionsCodec() {
    }

    /** Encodes the body. */
    static byte[] encode(Definitions d) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(3);
            p.packString(EXCHANGES).packArrayHeader(d.exchanges().size());
            for (ExchangeDefinition e : d.exchanges()) {
                p.packArrayHeader(3).packString(e.name()).packString(e.type()).packBoolean(e.autoDelete());
            }
            p.packString(QUEUES).packArrayHeader(d.queues().size());
            for (QueueDefinition q : d.queues()) {
                p.packArrayHeader(3).packString(q.name()).packBoolean(q.autoDelete())
                        .packMapHeader(q.arguments().size());
                for (Map.Entry<String, Object> a : q.arguments().entrySet()) {
                    p.packString(a.getKey());
                    if (a.getValue() instanceof Long l) {
                        p.packLong(l);
                    } else {
                        p.packString((String) a.getValue());
                    }
                }
            }
            p.packString(BINDINGS).packArrayHeader(d.bindings().size());
            for (BindingDefinition b : d.bindings()) {
                p.packArrayHeader(3).packString(b.exchange()).packString(b.queue()).packString(b.pattern());
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("packing into memory failed", e);
        }
    }

    /**
     * Decodes a body.
     *
     * @throws IllegalArgumentException saying what is wrong and at which body offset
     */
    static Definitions decode(byte[] body) {
        MessageUnpacker u = STRICT.withStringSizeLimit(body.length).newUnpacker(body);
        try (u) {
            return new BodyReader(u).read();
        } catch (MessagePackException | IOException e) {
            throw new IllegalArgumentException("not valid MessagePack: " + e.getMessage() + " (body offset "
                    + u.getTotalReadBytes() + ")", e);
        }
    }

    /** Reads one body; every refusal names the element and the body offset. Single use. */
    private static final class BodyReader {
        private final MessageUnpacker u;

        BodyReader(MessageUnpacker u) {
            this.u = u;
        }

        Definitions read() throws IOException {
            List<ExchangeDefinition> exchanges = null;
            List<QueueDefinition> queues = null;
            List<BindingDefinition> bindings = null;
            int keys = mapHeader("body");
            for (int i = 0; i < keys; i++) {
                String key = string("body key");
                switch (key) {
                    case EXCHANGES -> {
                        checkUnique(key, exchanges);
                        exchanges = exchanges();
                    }
                    case QUEUES -> {
                        checkUnique(key, queues);
                        queues = queues();
                    }
                    case BINDINGS -> {
                        checkUnique(key, bindings);
                        bindings = bindings();
                    }
                    default -> u.skipValue();
                }
            }
            checkPresent(EXCHANGES, exchanges);
            checkPresent(QUEUES, queues);
            checkPresent(BINDINGS, bindings);
            if (u.hasNext()) {
                throw fail("body", "trailing bytes after the body map");
            }
            return new Definitions(exchanges, queues, bindings);
        }

        private List<ExchangeDefinition> exchanges() throws IOException {
            List<ExchangeDefinition> list = new ArrayList<>();
            int n = arrayHeader(EXCHANGES);
            for (int i = 0; i < n; i++) {
                String what = EXCHANGES + "[" + i + "]";
                tuple(what, 3);
                list.add(new ExchangeDefinition(string(what + ".name"), string(what + ".type"),
                        bool(what + ".autoDelete")));
            }
            return list;
        }

        private List<QueueDefinition> queues() throws IOException {
            List<QueueDefinition> list = new ArrayList<>();
            int n = arrayHeader(QUEUES);
            for (int i = 0; i < n; i++) {
                String what = QUEUES + "[" + i + "]";
                tuple(what, 3);
                String name = string(what + ".name");
                boolean autoDelete = bool(what + ".autoDelete");
                list.add(new QueueDefinition(name, autoDelete, arguments(what + ".arguments")));
            }
            return list;
        }

        private Map<String, Object> arguments(String what) throws IOException {
            Map<String, Object> args = new LinkedHashMap<>();
            int n = mapHeader(what);
            for (int i = 0; i < n; i++) {
                String key = string(what + " key");
                String valueWhat = what + "['" + key + "']";
                MessageFormat f = nextFormat(valueWhat);
                Object value = switch (f.getValueType()) {
                    case INTEGER -> integer(valueWhat, f);
                    case STRING -> u.unpackString();
                    default -> throw fail(valueWhat, "expected an integer or a string, found " + typeName(f));
                };
                if (args.put(key, value) != null) {
                    throw fail(what, "duplicate key '" + key + "'");
                }
            }
            return args;
        }

        private List<BindingDefinition> bindings() throws IOException {
            List<BindingDefinition> list = new ArrayList<>();
            int n = arrayHeader(BINDINGS);
            for (int i = 0; i < n; i++) {
                String what = BINDINGS + "[" + i + "]";
                tuple(what, 3);
                list.add(new BindingDefinition(string(what + ".exchange"), string(what + ".queue"),
                        string(what + ".pattern")));
            }
            return list;
        }

        private long integer(String what, MessageFormat f) throws IOException {
            if (f == MessageFormat.UINT64) {
                BigInteger v = u.unpackBigInteger();
                if (v.bitLength() > 63) {
                    throw fail(what, "integer " + v + " does not fit in a signed 64-bit long");
                }
                return v.longValue();
            }
            return u.unpackLong();
        }

        private String string(String what) throws IOException {
            expect(what, ValueType.STRING);
            return u.unpackString();
        }

        private boolean bool(String what) throws IOException {
            expect(what, ValueType.BOOLEAN);
            return u.unpackBoolean();
        }

        private int arrayHeader(String what) throws IOException {
            expect(what, ValueType.ARRAY);
            return u.unpackArrayHeader();
        }

        private int mapHeader(String what) throws IOException {
            expect(what, ValueType.MAP);
            return u.unpackMapHeader();
        }

        private void tuple(String what, int size) throws IOException {
            long offset = u.getTotalReadBytes();
            int n = arrayHeader(what);
            if (n != size) {
                throw new IllegalArgumentException(what + ": expected an array of " + size + " elements, found "
                        + n + " (body offset " + offset + ")");
            }
        }

        private void expect(String what, ValueType type) throws IOException {
            MessageFormat f = nextFormat(what);
            if (f.getValueType() != type) {
                throw fail(what, "expected " + type.name().toLowerCase(Locale.ROOT) + ", found " + typeName(f));
            }
        }

        private MessageFormat nextFormat(String what) throws IOException {
            if (!u.hasNext()) {
                throw fail(what, "the body ends before it");
            }
            MessageFormat f = u.getNextFormat();
            if (f == MessageFormat.NEVER_USED) {
                throw fail(what, "byte 0xc1, which MessagePack never uses");
            }
            return f;
        }

        private static String typeName(MessageFormat f) {
            return f.getValueType().name().toLowerCase(Locale.ROOT);
        }

        private void checkUnique(String key, List<?> seen) {
            if (seen != null) {
                throw fail("body", "duplicate key '" + key + "'");
            }
        }

        private void checkPresent(String key, List<?> read) {
            if (read == null) {
                throw new IllegalArgumentException("body: the map has no '" + key + "' key");
            }
        }

        private IllegalArgumentException fail(String what, String problem) {
            return new IllegalArgumentException(what + ": " + problem + " (body offset " + u.getTotalReadBytes() + ")");
        }
    }
}
