package io.relais.broker.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The refactored broker reads a data directory written by the broker of commit 4b4dddc, from before the
 * refactor: {@code src/test/resources/fixtures/}, whose README.md says how the fixtures were made and what they
 * hold. One was left by a clean stop (SIGTERM), the other by {@code kill -9} with a consumer still attached.
 */
@ExtendWith(LeakCheck.class)
class OldDataDirectoryTest {
    private static final String SIGTERM = "old-4b4dddc-sigterm.tar.gz";
    private static final String KILL9 = "old-4b4dddc-kill9.tar.gz";
    private static final String EXCHANGE = "legacy.events";
    private static final String ORDERS = "legacy-orders";
    private static final String ACKED = "legacy-acked";
    /** The Chronicle cycle the old broker wrote every file in (see the fixtures' README.md). */
    private static final String OLD_CYCLE_FILE = "20261201-0835V.cq4";

    @TempDir
    Path dataDir;
    private Broker broker;
    private final List<RelaisClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        stopBroker();
    }

    @ParameterizedTest
    @ValueSource(strings = {SIGTERM, KILL9})
    void shouldKeepTheExchangeQueuesArgumentsAndBindingsWhenTheOldBrokerWroteThem(String fixture) throws Exception {
        RelaisClient c = startOn(fixture);

        assertThat(c.listExchanges().join()).filteredOn(e -> e.name().equals(EXCHANGE))
                .singleElement().satisfies(e -> {
                    assertThat(e.exchangeType()).isEqualTo("topic");
                    assertThat(e.durable()).isTrue();
                    assertThat(e.autoDelete()).isFalse();
                    assertThat(e.bindings()).isEqualTo(1);
                });
        assertThat(c.listExchanges().join()).extracting(ExchangeInfo::name).containsExactlyInAnyOrder("", EXCHANGE);
        assertThat(c.listQueues().join()).extracting(QueueInfo::name).containsExactlyInAnyOrder(ORDERS, ACKED);
        assertThat(info(c, ORDERS).durable()).isTrue();
        assertThat(info(c, ACKED).durable()).isTrue();

        // The listing does not show arguments: a declaration with the same ones is accepted, others are not.
        DeclaredQueue orders = c.declareQueue(QueueDeclaration.named(ORDERS).durable(true)
                .argument("max-length", 1000L)).join();
        // Right after a restart the count is "stored and not settled", so it includes the 2 non-persistent
        // records (the old broker, 4b4dddc, lists 7 on these same data directories); the reader skips them at
        // once, before the first delivery, and the count drops to the 5 that delivery gives.
        assertThat(orders.messageCount()).as("5 persistent (+ 2 non-persistent records until skipped) in %s",
                ORDERS).isBetween(5L, 7L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (info(c, ORDERS).messages() != 5 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(info(c, ORDERS).messages()).as("the 5 persistent messages of %s", ORDERS).isEqualTo(5);
        assertRefused(c.declareQueue(QueueDeclaration.named(ORDERS).durable(true)), ErrorCode.PRECONDITION_FAILED);
        assertRefused(c.declareQueue(QueueDeclaration.named(ORDERS).durable(true).argument("max-length", 999L)),
                ErrorCode.PRECONDITION_FAILED);
        DeclaredQueue acked = c.declareQueue(QueueDeclaration.named(ACKED).durable(true)).join();
        assertThat(acked.messageCount()).as("the unacknowledged message of %s", ACKED).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {SIGTERM, KILL9})
    void shouldDeliverOnlyThePersistentMessagesInOrderWhenTheOldBrokerStoredThem(String fixture) throws Exception {
        RelaisClient c = startOn(fixture);
        BlockingQueue<Delivery> inbox = consume(c, ORDERS);

        List<Delivery> old = take(inbox, 5);
        for (int i = 1; i <= 5; i++) {
            Delivery d = old.get(i - 1);
            assertThat(d.payloadAsString()).isEqualTo("{\"order\":" + i + "}");
            assertThat(d.persistent()).isTrue();
            assertThat(d.redelivered()).as("never delivered by the old broker").isFalse();
            assertThat(d.exchange()).isEqualTo(EXCHANGE);
            assertThat(d.routingKey()).isEqualTo("orders.created");
            Properties p = d.properties();
            assertThat(p.contentType()).isEqualTo("application/json");
            assertThat(p.messageId()).isEqualTo("legacy-order-" + i);
            assertThat(p.timestamp()).isEqualTo(1_700_000_000_000L + i);
            assertThat(p.headers()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("x-legacy-seq", (long) i, "x-origin", "old-broker"));
        }
        // The binding routes new messages, and the next delivery is the new one: no non-persistent message left.
        c.publishConfirmed(persistent(EXCHANGE, "orders.new", "new-order")).join();
        assertThat(take(inbox, 1)).extracting(Delivery::payloadAsString).containsExactly("new-order");

        BlockingQueue<Delivery> ackedInbox = consume(c, ACKED);
        Delivery left = take(ackedInbox, 1).get(0);
        assertThat(left.payloadAsString()).isEqualTo("acked-3");
        assertThat(left.properties().messageId()).isEqualTo("legacy-acked-3");
        assertThat(left.redelivered()).as("handed to a consumer by the old broker, below its read mark").isTrue();
        c.publishConfirmed(persistent("", ACKED, "new-acked")).join();
        assertThat(take(ackedInbox, 1)).extracting(Delivery::payloadAsString).containsExactly("new-acked");
    }

    @ParameterizedTest
    @ValueSource(strings = {SIGTERM, KILL9})
    void shouldNotBringBackAckedMessagesWhenTheNewBrokerRestartsOnTheOldData(String fixture) throws Exception {
        RelaisClient c = startOn(fixture);
        BlockingQueue<Delivery> orders = consume(c, ORDERS);
        for (Delivery d : take(orders, 5)) {
            d.ack();
        }
        BlockingQueue<Delivery> acked = consume(c, ACKED);
        Delivery kept = take(acked, 1).get(0);
        assertThat(kept.payloadAsString()).isEqualTo("acked-3");
        c.publishConfirmed(persistent("", ACKED, "new-acked")).join();
        Delivery fresh = take(acked, 1).get(0);
        assertThat(fresh.payloadAsString()).isEqualTo("new-acked");
        fresh.ack();
        awaitUnacked(c, ORDERS, 0);
        awaitUnacked(c, ACKED, 1);

        restart();
        RelaisClient after = client();
        assertThat(info(after, ORDERS).messages()).isZero();
        assertThat(info(after, ACKED).messages()).isEqualTo(1);
        BlockingQueue<Delivery> ordersAfter = consume(after, ORDERS);
        after.publishConfirmed(persistent(EXCHANGE, "orders.new", "after-restart")).join();
        assertThat(take(ordersAfter, 1)).extracting(Delivery::payloadAsString).containsExactly("after-restart");
        BlockingQueue<Delivery> ackedAfter = consume(after, ACKED);
        Delivery again = take(ackedAfter, 1).get(0);
        assertThat(again.payloadAsString()).as("the only unacknowledged message").isEqualTo("acked-3");
        assertThat(again.redelivered()).isTrue();
        after.publishConfirmed(persistent("", ACKED, "after-restart")).join();
        assertThat(take(ackedAfter, 1)).extracting(Delivery::payloadAsString).containsExactly("after-restart");
    }

    @ParameterizedTest
    @ValueSource(strings = {SIGTERM, KILL9})
    void shouldDeleteTheOldBrokersFilesWhenEverythingInThemIsSettled(String fixture) throws Exception {
        unpack(fixture, dataDir);
        Path store = MessageStore.directoryFor(dataDir.resolve("queues"), ACKED);
        Path messages = store.resolve("messages").resolve(OLD_CYCLE_FILE);
        Path settles = store.resolve("acks").resolve(OLD_CYCLE_FILE);
        assertThat(messages).exists();
        assertThat(settles).exists();
        start();
        RelaisClient c = client();
        BlockingQueue<Delivery> acked = consume(c, ACKED);
        take(acked, 1).get(0).ack();
        awaitUnacked(c, ACKED, 0);
        assertThat(info(c, ACKED).messages()).isZero();

        // DESIGN-STORE.md, Retention: with every message settled the message file goes once its cycle is over, and
        // the settle-log file once a checkpoint in a later cycle supersedes it; the store looks once a second.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((Files.exists(messages) || Files.exists(settles)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(messages).as("message file of the old broker, all settled").doesNotExist();
        assertThat(settles).as("settle-log file of the old broker, superseded").doesNotExist();
    }

    // ------------------------------------------------------------------------------ broker and client

    /** Unpacks {@code fixture} into the data directory, starts the broker on it and connects a client. */
    private RelaisClient startOn(String fixture) throws IOException {
        unpack(fixture, dataDir);
        start();
        return client();
    }

    private void start() {
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir));
    }

    private void stopBroker() {
        for (RelaisClient c : clients) {
            c.close();
        }
        clients.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    private void restart() {
        stopBroker();
        start();
    }

    private RelaisClient client() {
        RelaisClient c = RelaisClient.builder().host("127.0.0.1").port(broker.port()).clientName("test")
                .requestTimeout(Duration.ofSeconds(10)).connect();
        clients.add(c);
        return c;
    }

    private static Message persistent(String exchange, String key, String body) {
        return Message.builder(key).exchange(exchange).payload(body).persistent(true).build();
    }

    private static BlockingQueue<Delivery> consume(RelaisClient c, String queue) {
        BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        c.subscribeQueue(queue, SubscribeOptions.defaults().manualAck(true).prefetch(100), inbox::add).join();
        return inbox;
    }

    private static List<Delivery> take(BlockingQueue<Delivery> inbox, int n) throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delivery d = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("delivery %d of %d within 10 s", i + 1, n).isNotNull();
            got.add(d);
        }
        return got;
    }

    private static QueueInfo info(RelaisClient c, String queue) {
        return c.listQueues().join().stream().filter(q -> q.name().equals(queue)).findFirst().orElseThrow();
    }

    private static void awaitUnacked(RelaisClient c, String queue, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (info(c, queue).unacked() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(info(c, queue).unacked()).as("unacknowledged in %s", queue).isEqualTo(expected);
    }

    private static void assertRefused(CompletableFuture<?> f, ErrorCode code) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RelaisException.class)
                .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(code));
    }

    // ------------------------------------------------------------------------------ tar.gz

    /**
     * Unpacks a gzipped tar of the GNU format, as {@code tar --sparse --format=gnu} writes it: directories,
     * regular files and sparse files (type 'S'; written back sparse, so a Chronicle file of 80 MiB takes a few
     * KiB on disk). Anything else fails the test.
     */
    private static void unpack(String resource, Path target) throws IOException {
        try (InputStream raw = OldDataDirectoryTest.class.getResourceAsStream("/fixtures/" + resource)) {
            assertThat(raw).as("test resource fixtures/%s", resource).isNotNull();
            InputStream in = new GZIPInputStream(raw);
            byte[] header = new byte[512];
            while (true) {
                readFully(in, header);
                if (isZero(header)) {
                    return;
                }
                String name = string(header, 0, 100);
                long size = octal(header, 124, 12);
                char type = header[156] == 0 ? '0' : (char) header[156];
                Path path = target.resolve(name).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("entry outside the target directory: " + name);
                }
                switch (type) {
                    case '5' -> Files.createDirectories(path);
                    case '0' -> {
                        Files.createDirectories(path.getParent());
                        Files.write(path, in.readNBytes((int) size));
                        skipPadding(in, size);
                    }
                    case 'S' -> {
                        Files.createDirectories(path.getParent());
                        writeSparse(in, header, path, size);
                    }
                    default -> throw new IOException("unsupported tar entry type '" + type + "': " + name);
                }
            }
        }
    }

    private static void writeSparse(InputStream in, byte[] header, Path path, long size) throws IOException {
        List<long[]> segments = new ArrayList<>();
        addSegments(segments, header, 386, 4);
        boolean extended = header[482] != 0;
        long realSize = octal(header, 483, 12);
        byte[] ext = new byte[512];
        while (extended) {
            readFully(in, ext);
            addSegments(segments, ext, 0, 21);
            extended = ext[504] != 0;
        }
        long stored = 0;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            for (long[] s : segments) {
                file.seek(s[0]);
                file.write(in.readNBytes((int) s[1]));
                stored += s[1];
            }
            file.setLength(realSize);
        }
        if (stored != size) {
            throw new IOException("sparse entry " + path + ": map holds " + stored + " bytes, header says " + size);
        }
        skipPadding(in, size);
    }

    private static void addSegments(List<long[]> segments, byte[] block, int at, int count) {
        for (int i = 0; i < count; i++) {
            int entry = at + i * 24;
            if (block[entry] == 0) {
                return;
            }
            segments.add(new long[] {octal(block, entry, 12), octal(block, entry + 12, 12)});
        }
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        int padding = (int) ((512 - size % 512) % 512);
        readFully(in, new byte[padding]);
    }

    private static void readFully(InputStream in, byte[] buf) throws IOException {
        if (in.readNBytes(buf, 0, buf.length) != buf.length) {
            throw new EOFException("truncated tar");
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] block, int at, int length) {
        int end = at;
        while (end < at + length && block[end] != 0) {
            end++;
        }
        return new String(block, at, end - at, US_ASCII);
    }

    private static long octal(byte[] block, int at, int length) {
        String s = string(block, at, length).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
