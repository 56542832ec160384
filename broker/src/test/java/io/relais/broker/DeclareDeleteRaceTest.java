package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.relais.broker.store.FsyncPolicy;
import io.relais.client.DeclaredQueue;
import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FaultSummary;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueuePurge;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Fault suite, the declare/delete race (issue 10): many connections declare, bind, publish to,
 * purge and delete one durable queue at once, some closing with a request in flight. Every request
 * must get exactly one answer, no declare may fail with STORE_FAILED (a store opened twice, or
 * while its namesake's was deleted), the broker must log no error, and afterwards the queue must
 * behave as new, and a restart must find neither the queue nor a store directory left behind.
 * Short by default (16 connections x 30 rounds); {@code -Drelais.faults.long=true} runs 32 x 150.
 * And while a deleted queue's store is still busy on its store thread (a slow sync), the declare of
 * its namesake waits for the deletion, but changes of other queues are answered at once.
 */
@ExtendWith(LeakCheck.class)
class DeclareDeleteRaceTest {
    private static final String QUEUE = "raceq";
    private static final String KEY = "race.k";

    /** Broker log events that mean something went wrong: errors, warnings, anything with a stack trace. */
    private static final class LogProblems extends AppenderBase<ILoggingEvent> {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        protected void append(ILoggingEvent e) {
            boolean ours = !e.getLoggerName().startsWith("io.relais.client");
            if (ours && (e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)) {
                lines.add(e.getLevel() + " [" + e.getThreadName() + "] " + e.getLoggerName() + " - "
                        + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " / " + e.getThrowableProxy().getClassName() + ": "
                        + e.getThrowableProxy().getMessage()));
            }
        }
    }

    /** What the connections saw. */
    private static final class Tally {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong storeFailed = new AtomicLong();
        final AtomicLong leftByClosing = new AtomicLong();
        final AtomicLong confirms = new AtomicLong();
        final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());

        void outcome(String request, Frame answer) {
            String what = answer instanceof ErrorFrame e ? "ERROR " + e.code() : answer.type().name();
            outcomes.computeIfAbsent(request + " -> " + what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    /** One connection's rounds, frame by frame, each request waited for before the next. */
    private static final class Racer {
        private final RawConnection raw;
        private final Tally tally;
        private long nextRequest = 1;
        private long nextSeq = 1;

        Racer(int port, Tally tally) throws IOException {
            this.raw = new RawConnection(port);
            this.tally = tally;
            raw.handshake(0);
        }

        /** Sends {@code request} (with the next id) and reads until its answer; false if none came. */
        boolean request(String name, long id, Frame request) throws IOException {
            tally.requests.incrementAndGet();
            raw.send(request);
            while (true) {
                Frame f;
                try {
                    f = raw.read();
                } catch (SocketTimeoutException e) {
                    tally.problems.add(name + " (request " + id + ") got no answer within 10 s");
                    return false;
                }
                try {
                    if (f instanceof Answer a && a.requestId() == id) {
                        tally.answered.incrementAndGet();
                        tally.outcome(name, f);
                        if (f instanceof ErrorFrame e && e.code() == ErrorCode.STORE_FAILED.code()) {
                            tally.storeFailed.incrementAndGet();
                            tally.problems.add(name + ": " + e.message());
                        }
                        return true;
                    } else if (f instanceof Confirm) {
                        tally.confirms.incrementAndGet();
                    } else if (f instanceof Answer a) {
                        tally.problems.add(name + " (request " + id + "): unexpected " + f
                                + (a.requestId() == 0 ? "" : ", a second answer?"));
                        if (a.requestId() == 0) {
                            return false;
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(f);
                }
            }
        }

        long id() {
            return nextRequest++;
        }

        /** One round; false once a request went unanswered (the connection is of no more use). */
        boolean round(int round) throws IOException {
            long id = id();
            if (!request("QUEUE_DECLARE", id, new QueueDeclare(id, QUEUE, true, false, false, false, Map.of()))) {
                return false;
            }
            id = id();
            if (!request("BIND", id, new Bind(id, QUEUE, "", KEY, Map.of()))) {
                return false;
            }
            raw.send(new Publish(nextSeq++, "", KEY, Publish.PERSISTENT, Properties.EMPTY,
                    Unpooled.copiedBuffer("m" + round, StandardCharsets.UTF_8)));
            if (round % 5 == 4) {
                id = id();
                if (!request("QUEUE_PURGE", id, new QueuePurge(id, QUEUE))) {
                    return false;
                }
            }
            id = id();
            return request("QUEUE_DELETE", id, new QueueDelete(id, QUEUE, false, false));
        }

        /** Sends a declare and a delete and closes at once, without waiting for their answers. */
        void closeWithRequestsInFlight() throws IOException {
            long id = id();
            raw.send(new QueueDeclare(id, QUEUE, true, false, false, false, Map.of()));
            id = id();
            raw.send(new QueueDelete(id, QUEUE, false, false));
            tally.leftByClosing.addAndGet(2);
            raw.close();
        }

        void close() throws IOException {
            raw.close();
        }
    }

    @Test
    void shouldAnswerEveryRequestWithoutStoreFailuresWhenConnectionsRaceDeclareAndDeleteOfOneDurableQueue()
            throws Exception {
        int clients = FaultSummary.rounds(16, 32);
        int rounds = FaultSummary.rounds(30, 150);
        LogProblems log = new LogProblems();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        Tally tally = new Tally();
        try (BrokerFixture fixture = new BrokerFixture()) {
            race(fixture.port(), clients, rounds, tally);
            String summary = String.format("%d clients x %d rounds, %d requests, %d answered, STORE_FAILED %d, "
                            + "log errors %d (%d requests left in flight by closing connections)", clients, rounds,
                    tally.requests.get(), tally.answered.get(), tally.storeFailed.get(), log.lines.size(),
                    tally.leftByClosing.get());
            FaultSummary.report("race/declare-delete", "%s", summary);
            System.out.println("race outcomes: " + new TreeMap<>(tally.outcomes));
            assertThat(tally.problems).as("what the connections saw go wrong").isEmpty();
            assertThat(tally.answered.get()).as("answers").isEqualTo(tally.requests.get());
            assertThat(tally.storeFailed.get()).as("STORE_FAILED answers").isZero();

            checkTheQueueWorksAfterwards(fixture);
            fixture.restart();
            checkNothingIsLeftAfterARestart(fixture);
        } finally {
            root.detachAppender(log);
            log.stop();
        }
        assertThat(log.lines).as("warnings and errors in the broker's log").isEmpty();
    }

    @Test
    void shouldAnswerChangesOfOtherQueuesAtOnceWhileADeletedQueuesStoreIsStillBusy() throws Exception {
        long syncMillis = 1500;
        try (BrokerFixture fixture = new BrokerFixture(c -> c.withStore(FsyncPolicy.of("always", Duration.ofSeconds(1)),
                0), queue -> {
                    if (queue.equals(QUEUE)) {
                        sleep(syncMillis);
                    }
                });
             RawConnection deleter = new RawConnection(fixture.port());
             RawConnection redeclarer = new RawConnection(fixture.port());
             RawConnection other = new RawConnection(fixture.port())) {
            deleter.handshake(0);
            redeclarer.handshake(0);
            other.handshake(0);
            deleter.send(new QueueDeclare(1, QUEUE, true, false, false, false, Map.of()));
            assertThat(answer(deleter, 1)).isInstanceOf(QueueDeclareOk.class);
            deleter.send(new Bind(2, QUEUE, "", KEY, Map.of()));
            assertThat(answer(deleter, 2)).isInstanceOf(Ok.class);
            // The store thread of the queue syncs this message for 1.5 s; the deletion of the store
            // waits behind it there, and the declare of the same name waits for the deletion.
            deleter.send(new Publish(1, "", KEY, Publish.PERSISTENT, Properties.EMPTY,
                    Unpooled.copiedBuffer("slow", StandardCharsets.UTF_8)));
            deleter.send(new QueueDelete(3, QUEUE, false, false));
            Thread.sleep(100);
            redeclarer.send(new QueueDeclare(1, QUEUE, true, false, false, false, Map.of()));
            Thread.sleep(100);

            long start = System.nanoTime();
            other.send(new QueueDeclare(1, "other", false, false, false, false, Map.of()));
            assertThat(answer(other, 1)).isInstanceOf(QueueDeclareOk.class);
            long otherMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(answer(deleter, 3)).as("the delete").isInstanceOf(Ok.class);
            Frame again = answer(redeclarer, 1);
            long redeclareMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            FaultSummary.report("race/slow-store-delete", "store busy %d ms: another queue declared in %d ms, "
                    + "the namesake of the deleted queue in %d ms", syncMillis, otherMillis, redeclareMillis);
            assertThat(again).isInstanceOf(QueueDeclareOk.class);
            assertThat(((QueueDeclareOk) again).messageCount()).as("messages in the declared namesake").isZero();
            assertThat(otherMillis).as("ms to declare another queue while the deleted queue's store is busy")
                    .isLessThan(syncMillis / 2);
        }
    }

    /** Reads until the answer to request {@code id}, skipping confirms. */
    private static Frame answer(RawConnection raw, long id) throws IOException {
        while (true) {
            Frame f = raw.read();
            ReferenceCountUtil.release(f);
            if (f instanceof Answer a && (a.requestId() == id || a.requestId() == 0)) {
                return f;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void race(int port, int clients, int rounds, Tally tally) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                runs.add(pool.submit(() -> {
                    Racer racer = new Racer(port, tally);
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        if (client % 4 == 0 && round % 10 == 9) {
                            // The connection goes away with a declare and a delete in flight.
                            racer.closeWithRequestsInFlight();
                            racer = new Racer(port, tally);
                            continue;
                        }
                        if (!racer.round(round)) {
                            break;
                        }
                    }
                    racer.close();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> run : runs) {
                run.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Declared once more, the queue starts empty, takes messages, delivers them, and is deleted. */
    private static void checkTheQueueWorksAfterwards(BrokerFixture fixture) throws Exception {
        RelaisClient c = fixture.client();
        if (c.listQueues().join().stream().anyMatch(q -> q.name().equals(QUEUE))) {
            c.deleteQueue(QUEUE, false, false).get(10, TimeUnit.SECONDS);
        }
        DeclaredQueue fresh = c.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).get(10, TimeUnit.SECONDS);
        assertThat(fresh.messageCount()).as("messages in the queue declared after the race").isZero();
        c.bind(QUEUE, "", KEY).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            c.publishConfirmed(Message.builder(KEY).payload("after-" + i).persistent(true).build())
                    .get(10, TimeUnit.SECONDS);
        }
        LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        Subscription sub = c.subscribeQueue(QUEUE, SubscribeOptions.defaults(), inbox::add).get(10, TimeUnit.SECONDS);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Delivery d = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("delivery %d of 10 after the race", i + 1).isNotNull();
            got.add(d.payloadAsString());
        }
        assertThat(got).containsExactly("after-0", "after-1", "after-2", "after-3", "after-4", "after-5",
                "after-6", "after-7", "after-8", "after-9");
        assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).as("an 11th message").isNull();
        sub.cancel().get(10, TimeUnit.SECONDS);
        c.deleteQueue(QUEUE, false, false).get(10, TimeUnit.SECONDS);
    }

    /** After a restart: no queue, no store directory, nothing in the data directory but the broker's own. */
    private static void checkNothingIsLeftAfterARestart(BrokerFixture fixture) throws Exception {
        RelaisClient c = fixture.client();
        List<String> names = c.listQueues().get(10, TimeUnit.SECONDS).stream().map(QueueInfo::name).toList();
        assertThat(names).as("queues after the restart").doesNotContain(QUEUE);
        Path queues = fixture.dataDir().resolve("queues");
        try (Stream<Path> stores = Files.list(queues)) {
            assertThat(stores.toList()).as("store directories after the restart").isEmpty();
        }
        try (Stream<Path> entries = Files.list(fixture.dataDir())) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).as("the data directory")
                    .isSubsetOf(Set.of(".lock", "definitions.rdf", "queues", "users.db"));
        }
    }
}
